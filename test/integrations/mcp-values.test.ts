/**
 * How values and arguments cross MCP, agents using MCP tools, options, paging, and the opt-outs of
 * the call grafting: client and server in this process on the SDK's in-memory transport.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import * as rt from "@runtrace/core";
import { type McpToolsOptions, mcpTools, type ServeNodesOptions, serveNodes } from "@runtrace/core/mcp";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";

beforeEach(() => {
  rt.configure({ store: null });
});

async function connect(server: McpServer | Server): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "runtrace-tests", version: "1.0.0" });
  await client.connect(clientSide);
  return client;
}

/** The nodes served as MCP tools and made nodes again, by name. */
async function roundTrip(nodes: rt.Node[], serve?: ServeNodesOptions, options?: McpToolsOptions) {
  const server = new McpServer({ name: "values", version: "1.0.0" });
  serveNodes(server, nodes, serve);
  const client = await connect(server);
  const tools = await mcpTools(client, options);
  return { client, tool: (name: string) => tools.find((t) => t.name === `${options?.prefix ?? ""}${name}`)! };
}

const text = rt.functionNode(async () => "plain text", { name: "text" });
const object = rt.functionNode(async () => ({ when: new Date(0), tags: ["a"] }), { name: "object" });
const list = rt.functionNode(async () => [1, "two", null], { name: "list" });
const nothing = rt.functionNode(async () => undefined, { name: "nothing" });
const numeric = rt.functionNode(async () => 42, { name: "numeric" });
const image = rt.functionNode(
  async () => ({ content: [{ type: "image", data: "aGVsbG8=", mimeType: "image/png" }] }),
  { name: "image" },
);

describe("values", () => {
  it("come back as the node returned them: text, objects (as JSON), numbers, arrays, nothing, content blocks", async () => {
    const { tool } = await roundTrip([text, object, list, nothing, numeric, image]);
    expect(await rt.call(tool("text"))).toBe("plain text");
    expect(await rt.call(tool("object"))).toEqual({ when: "1970-01-01T00:00:00.000Z", tags: ["a"] });
    expect(await rt.call(tool("list"))).toEqual([1, "two", null]);
    expect(await rt.call(tool("nothing"))).toBeUndefined();
    expect(await rt.call(tool("numeric"))).toBe(42);
    expect(await rt.call(tool("image"))).toEqual([
      { type: "image", data: "aGVsbG8=", mimeType: "image/png" },
    ]);
  });

  it('are the whole CallToolResult with output: "result", text for clients that read only text', async () => {
    const { tool } = await roundTrip([object, numeric], {}, { output: "result", remoteCalls: false });
    expect(await rt.call(tool("object"))).toEqual({
      content: [{ type: "text", text: '{"when":"1970-01-01T00:00:00.000Z","tags":["a"]}' }],
      structuredContent: { when: "1970-01-01T00:00:00.000Z", tags: ["a"] },
    });
    expect(await rt.call(tool("numeric"))).toEqual({
      content: [{ type: "text", text: "42" }],
      _meta: { "runtrace/json": true },
    });
  });

  it("leave the server's calls out of the result once they are grafted (they would be recorded twice)", async () => {
    const { tool } = await roundTrip([numeric], {}, { output: "result" });
    const session = new rt.Session({ name: "once" });
    const result = await session.run(() => rt.call(tool("numeric")));
    expect(result).toEqual({ content: [{ type: "text", text: "42" }], _meta: { "runtrace/json": true } });
    const [call] = session.tree.root.children;
    expect(call!.output).toEqual(result);
    expect(call!.children.map((r) => r.node)).toEqual(["numeric"]);
  });
});

describe("arguments", () => {
  const named = rt.functionNode(async (a: number, b = 10) => a + b, {
    name: "named",
    params: [
      ["a", z.number()],
      ["b", z.number().optional()],
    ],
  });
  const single = rt.functionNode(async (input: { word: string }) => input.word.toUpperCase(), {
    name: "single",
    params: z.object({ word: z.string() }),
  });
  const scalar = rt.functionNode(async (word: string) => word.length, { name: "scalar", params: z.string() });
  const open = rt.functionNode(async (input: unknown) => input, { name: "open" });
  const transformed = rt.functionNode(async (input: { n: number }) => input.n, {
    name: "transformed",
    params: z.object({ n: z.string().transform((s) => s.length) }),
  });

  it("reach the node as its params say: by name, one object, one value as `input`, the whole object", async () => {
    const { client, tool } = await roundTrip([named, single, scalar, open, transformed]);
    expect(await rt.call(tool("named"), { a: 1 })).toBe(11);
    expect(await rt.call(tool("named"), { a: 1, b: 2 })).toBe(3);
    expect(await rt.call(tool("single"), { word: "hi" })).toBe("HI");
    expect(await rt.call(tool("scalar"), { input: "four" })).toBe(4);
    expect(await rt.call(tool("open"), { any: ["thing"] })).toEqual({ any: ["thing"] });
    // The node's own validation runs once: a transform is applied once.
    expect(await rt.call(tool("transformed"), { n: "abc" })).toBe(3);
    // What the server lists is each node's tool schema.
    const listed = (await client.listTools()).tools;
    for (const node of [named, single, scalar, open]) {
      const { $schema: _ignored, ...schema } = listed.find((t) => t.name === node.name)!.inputSchema;
      expect(schema).toEqual(node.toolSchema().parameters);
    }
  });

  it("that do not fit are refused before the request, or by the node, with an error that says which", async () => {
    const { tool } = await roundTrip([single]);
    await expect(rt.call(tool("single"), "hi" as never)).rejects.toThrow(/expected an object of arguments/);
    await expect(rt.call(tool("single"), { word: 3 })).rejects.toThrow(
      /MCP tool "single" on server "values" failed: ValidationError: .*word/,
    );
  });
});

describe("agents with MCP tools", () => {
  const forecast = rt.functionNode(async (city: string) => ({ city, celsius: city === "Oslo" ? 4 : 19 }), {
    name: "forecast",
    kind: "tool",
    description: "The weather in a city",
    params: [["city", z.string().describe("City name")]],
  });

  it("offer the tools with their parameters, and the tool calls run on the server", async () => {
    const { tool } = await roundTrip([forecast], {}, { prefix: "weather." });
    const model = rt.scriptedModel([
      { toolCalls: [{ name: "weather_forecast", arguments: { city: "Oslo" } }] },
      (request) => `It is ${request.messages.at(-1)!.content}`,
    ]);
    const agent = rt.agentNode({ name: "planner", model, tools: [tool("forecast")] });
    const session = new rt.Session({ name: "plan" });
    const answer = await session.run(() => rt.call(agent, "Weather in Oslo?"));
    expect(answer).toBe('It is {"city":"Oslo","celsius":4}');
    expect(model.requests[0]!.tools).toEqual([
      {
        name: "weather_forecast",
        description: "The weather in a city",
        parameters: {
          type: "object",
          properties: { city: { type: "string", description: "City name" } },
          required: ["city"],
          additionalProperties: false,
        },
      },
    ]);
    const [, call] = session.tree.root.children[0]!.children;
    expect([call!.node, call!.kind]).toEqual(["weather.forecast", "tool"]);
    expect(call!.children.map((r) => [r.node, r.input, r.status])).toEqual([["forecast", ["Oslo"], "ok"]]);
  });
});

describe("listing", () => {
  it("reads every page of tools, and filters them", async () => {
    const server = new Server({ name: "paged", version: "1.0.0" }, { capabilities: { tools: {} } });
    const pages: Record<string, { tools: { name: string }[]; nextCursor?: string }> = {
      start: { tools: [{ name: "a" }, { name: "b" }], nextCursor: "2" },
      "2": { tools: [{ name: "c" }], nextCursor: "3" },
      "3": { tools: [{ name: "d" }] },
    };
    server.setRequestHandler(ListToolsRequestSchema, (request) => {
      const page = pages[request.params?.cursor ?? "start"]!;
      return { ...page, tools: page.tools.map((t) => ({ ...t, inputSchema: { type: "object" as const } })) };
    });
    const client = await connect(server);
    expect((await mcpTools(client)).map((t) => t.name)).toEqual(["a", "b", "c", "d"]);
    expect((await mcpTools(client, { filter: (t) => t.name !== "b" })).map((t) => t.name)).toEqual([
      "a",
      "c",
      "d",
    ]);
  });

  it("keeps each tool's JSON Schema as the server wrote it, definitions and references included", async () => {
    const inputSchema = {
      type: "object" as const,
      properties: {
        stop: { $ref: "#/$defs/stop" },
        stops: { type: "array", items: { $ref: "#/$defs/stop" } },
      },
      required: ["stop"],
      $defs: { stop: { type: "object", properties: { city: { type: "string" } } } },
    };
    const server = new Server({ name: "routes", version: "1.0.0" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [{ name: "route", description: "A route", inputSchema: { ...inputSchema, id: "route-input" } }],
    }));
    const [route] = await mcpTools(await connect(server));
    expect(route!.toolSchema()).toEqual({ name: "route", description: "A route", parameters: inputSchema });
  });

  it("refuses options it does not know, with the fix", async () => {
    const { client } = await roundTrip([text]);
    await expect(mcpTools(client, { timeout: 5 } as never)).rejects.toThrow(/timeoutMs/);
    await expect(mcpTools(client, { output: "text" as never })).rejects.toThrow(
      'expected `output` to be "value" or "result"',
    );
    await expect(mcpTools({} as never)).rejects.toThrow(/expected a connected MCP Client/);
    expect(() => serveNodes(new McpServer({ name: "x", version: "1" }), [() => 1] as never)).toThrow(
      /expected `nodes\[0\]` to be a node/,
    );
  });
});

describe("the server's calls in the caller's tree", () => {
  const inner = rt.functionNode(async () => "secret sauce", { name: "inner" });
  const outer = rt.functionNode(async () => rt.call(inner), { name: "outer" });

  it("are left out when the caller does not ask (remoteCalls: false) or the server does not share them", async () => {
    for (const [serve, options] of [
      [{}, { remoteCalls: false }],
      [{ shareCalls: false }, {}],
    ] as const) {
      const { tool } = await roundTrip([outer], serve, options);
      const session = new rt.Session({ name: "private" });
      expect(await session.run(() => rt.call(tool("outer")))).toBe("secret sauce");
      expect(session.tree.size).toBe(1);
    }
  });

  it("are grafted under the caller's record with the caller's redaction", async () => {
    const profile = rt.functionNode(async (name: string) => ({ user: name, city: "Oslo" }), {
      name: "profile",
      params: [["name", z.string()]],
    });
    const { tool } = await roundTrip([profile]);
    // The caller's session reads its settings when it is made; the server's session (made during
    // the call, in this same process) gets the default rules, which keep `user`.
    rt.configure({ redact: { keys: ["user"] } });
    const session = new rt.Session({ name: "redacted" });
    rt.configure({ redact: true });
    const value = await session.run(() => rt.call(tool("profile"), { name: "ada" }));
    expect(value).toEqual({ user: "ada", city: "Oslo" });
    const [call] = session.tree.root.children;
    expect(call!.output).toEqual({ user: "[redacted]", city: "Oslo" });
    expect(call!.children[0]!.output).toEqual({ user: "[redacted]", city: "Oslo" });
  });
});

describe("@runtrace/core without the MCP SDK", () => {
  it("never loads it: no module reachable from the main entry imports it", () => {
    const root = fileURLToPath(new URL("../../packages/core/src/", import.meta.url));
    const seen = new Set<string>();
    const found: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      // Value imports and re-exports only: `import type` is erased from the built code.
      for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gms)) {
        const specifier = match[1]!;
        if (specifier.startsWith("@modelcontextprotocol/")) found.push(`${file}: ${specifier}`);
        if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
      }
    };
    visit(join(root, "index.ts"));
    expect(seen.size).toBeGreaterThan(50);
    expect([...seen].some((file) => file.includes("integrations"))).toBe(false);
    expect(found).toEqual([]);
  });
});
