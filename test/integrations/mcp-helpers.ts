/**
 * What the MCP tests share: the fixture server built to JavaScript and started as a child process
 * on stdio, the same server on Streamable HTTP in this process, and connected clients.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./mcp-fixtures/", import.meta.url));

/**
 * The fixture's stdio server compiled to JavaScript, in a directory inside the repository so that
 * `@runtrace/core` resolves to the workspace's built package (as a deployed server would use it).
 */
export function buildStdioServer(): { script: string; remove: () => void } {
  const built = join(ROOT, "packages/core/dist/mcp.js");
  if (!existsSync(built)) throw new Error("packages/core/dist is missing: run `npx tsc -b` first");
  const artifacts = join(ROOT, "test/.artifacts");
  mkdirSync(artifacts, { recursive: true });
  const dir = mkdtempSync(join(artifacts, "mcp-fixture-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  for (const name of ["nodes", "stdio-server"]) {
    const source = readFileSync(join(FIXTURES, `${name}.ts`), "utf8");
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: `${name}.ts`,
    });
    writeFileSync(join(dir, `${name}.js`), outputText);
  }
  return {
    script: join(dir, "stdio-server.js"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface StdioConnection {
  client: Client;
  transport: StdioClientTransport;
  /** What the server wrote to stderr so far. */
  stderr(): string;
}

/** A client connected to the fixture server running as a child process (its sessions stored in `dir`). */
export async function connectStdio(script: string, dir: string): Promise<StdioConnection> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [script],
    env: { ...(process.env as Record<string, string>), RUNTRACE_DIR: dir },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const client = new Client({ name: "runtrace-tests", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

export interface HttpMcpServer {
  url: URL;
  close(): Promise<void>;
}

/**
 * An MCP server on Streamable HTTP at 127.0.0.1 on a free port, stateless: every POST gets a new
 * server (from `makeServer`) and transport, as the SDK's stateless example does.
 */
export async function startHttpServer(makeServer: () => McpServer): Promise<HttpMcpServer> {
  const http: Server = createServer(async (req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const server = makeServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** A client connected over Streamable HTTP. */
export async function connectHttp(url: URL): Promise<Client> {
  const client = new Client({ name: "runtrace-tests", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(url));
  return client;
}
