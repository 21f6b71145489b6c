import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import * as rt from "@runtrace/core";
import { mcpTools } from "@runtrace/core/mcp";
import { beforeEach, expect, it } from "vitest";
import { makePlanner, offlineModel } from "./mcp-trip-agent.js";
import { weatherServer } from "./mcp-weather-server.js";

beforeEach(() => {
  rt.configure({ store: null });
});

it("answers with the MCP server's tools, the server's calls under each tool call", async () => {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await weatherServer().connect(serverSide);
  const client = new Client({ name: "trip-planner", version: "1.0.0" });
  await client.connect(clientSide);
  const tools = await mcpTools(client);
  expect(tools.map((t) => t.toolSchema())).toEqual([
    {
      name: "forecast",
      description: "Today's weather in a city: temperature in °C and the sky",
      parameters: {
        type: "object",
        properties: { city: { type: "string", description: "The city, such as Oslo" } },
        required: ["city"],
        additionalProperties: false,
      },
    },
  ]);

  const session = new rt.Session({ name: "mcp-trip" });
  const answer = await session.run(() => rt.call(makePlanner(offlineModel(), tools), "Oslo or Rome?"));
  expect(answer).toBe("Rome is warmer today: 19°C and sunny (Oslo 4°C, Rome 19°C).");
  const agent = session.tree.root.children[0]!;
  expect(agent.children.map((c) => [c.node, c.kind])).toEqual([
    ["chat scripted-planner", "llm"],
    ["forecast", "tool"],
    ["forecast", "tool"],
    ["chat scripted-planner", "llm"],
  ]);
  for (const [i, city] of ["Oslo", "Rome"].entries()) {
    const call = agent.children[i + 1]!;
    const [served] = call.children;
    expect(served!.input).toEqual([city]);
    expect(served!.children.map((c) => [c.node, c.status])).toEqual([
      ["findStation", "ok"],
      ["readStation", "ok"],
    ]);
  }
  // The two MCP calls ran at once.
  const [, oslo, rome] = agent.children;
  expect(Math.max(oslo!.start, rome!.start)).toBeLessThan(Math.min(oslo!.end!, rome!.end!));
  await client.close();
});

it("runs as a program that starts the server as a child process", async () => {
  const program = fileURLToPath(new URL("../dist/mcp-trip-agent.js", import.meta.url));
  expect(existsSync(program), "examples/dist is missing: run `npx tsc -b` first").toBe(true);
  const { stdout } = await promisify(execFile)(process.execPath, [program], {
    env: { ...process.env, RUNTRACE_STORE: "off", NO_COLOR: "1", OPENAI_BASE_URL: "", OPENAI_API_KEY: "" },
    timeout: 30_000,
  });
  expect(stdout).toContain("Tools from the MCP server: forecast");
  expect(stdout).toContain("Rome is warmer today");
  expect(stdout.match(/findStation/g)).toHaveLength(2);
  expect(stdout.match(/readStation/g)).toHaveLength(2);
});
