/**
 * mcpTools against a real MCP server in a child process on stdio: the fixture (mcp-fixtures/) built
 * from TypeScript, serving runtrace nodes with serveNodes and storing its sessions in a directory
 * the tests read, to hold the grafted calls against what the server itself recorded.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";
import { McpToolError, type McpToolNode, mcpTools } from "@runtrace/core/mcp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetWarnings } from "../../packages/core/src/recording/logger.js";
import { buildStdioServer, connectStdio, type StdioConnection } from "./mcp-helpers.js";

const serverDir = mkdtempSync(join(tmpdir(), "runtrace-mcp-server-"));
const callerDir = mkdtempSync(join(tmpdir(), "runtrace-mcp-caller-"));
const warnings: string[] = [];
let fixture: ReturnType<typeof buildStdioServer>;
let connection: StdioConnection;
let tools: Record<string, McpToolNode>;

beforeAll(async () => {
  fixture = buildStdioServer();
  connection = await connectStdio(fixture.script, serverDir);
  tools = Object.fromEntries((await mcpTools(connection.client)).map((node) => [node.name, node]));
}, 30_000);

afterAll(async () => {
  await connection?.client.close();
  fixture?.remove();
  rmSync(serverDir, { recursive: true, force: true });
  rmSync(callerDir, { recursive: true, force: true });
});

beforeEach(() => {
  warnings.length = 0;
  resetWarnings();
  rt.configure({ store: null, logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
});

/** The records of a tree without what differs between the server's file and the graft. */
function shape(record: rt.CallRecord): unknown {
  return {
    node: record.node,
    kind: record.kind,
    status: record.status,
    start: record.start,
    end: record.end,
    input: record.input,
    output: record.output,
    error: record.error,
    attempts: record.attempts,
    events: record.events,
    children: record.children.map(shape),
  };
}

describe("mcpTools over stdio", () => {
  it("lists every tool as a tool node with the server's description and input schema", async () => {
    const listed = await connection.client.listTools();
    expect(Object.keys(tools)).toEqual(["forecast", "alerts", "slow", "sum"]);
    for (const tool of listed.tools) {
      const node = tools[tool.name]!;
      expect(node.kind).toBe("tool");
      const { $schema: _ignored, ...inputSchema } = tool.inputSchema as Record<string, unknown>;
      expect(node.toolSchema()).toEqual({
        name: tool.name,
        description: tool.description ?? "",
        parameters: inputSchema,
      });
    }
    expect(tools.forecast!.toolSchema().parameters).toEqual({
      type: "object",
      properties: { city: { type: "string", description: "The city's name" } },
      required: ["city"],
    });
  });

  it("returns the tool's value, with the server's calls grafted under the call's record exactly as the server recorded them", async () => {
    const session = new rt.Session({ name: "trip", store: rt.jsonlStore({ dir: callerDir }) });
    const weather = await session.run(() => rt.call(tools.forecast!, { city: "Oslo" }));
    expect(weather).toEqual({ city: "Oslo", degrees: 10, sky: "cloudy" });

    const call = session.tree.find("forecast")!;
    expect(call.kind).toBe("tool");
    expect(call.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": "forecast",
      "runtrace.mcp.server": "fixture-weather",
    });
    const [served] = call.children;
    expect(served!.parentId).toBe(call.id);
    expect(served!.children.map((r) => r.node)).toEqual(["geocode", "temperature", "sky"]);
    const ids = [...session.tree].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(["1", "2", "3", "4", "5"]);

    // The server's own file of that call holds the same calls, times and values.
    const remoteId = served!.attributes["runtrace.remote.session"] as string;
    const remote = await rt.readSession(remoteId, { dir: serverDir });
    expect(remote.root.node).toBe("tools/call forecast");
    expect(remote.root.attributes).toMatchObject({
      "runtrace.caller.session": session.id,
      "runtrace.caller.call": call.id,
    });
    expect(remote.root.children.map(shape)).toEqual([shape(served!)]);

    // The caller's file has them too, as calls of its own.
    await rt.flush();
    const stored = await rt.readSession(session.id, { dir: callerDir });
    expect(stored.warnings).toEqual([]);
    expect(stored.find("forecast")!.children.map(shape)).toEqual([shape(served!)]);
    expect(warnings).toEqual([]);
  });

  it("keeps parallel calls apart: each call gets its own server calls", async () => {
    const cities = ["Oslo", "Paris", "Oslo", "Paris", "Oslo", "Paris"];
    const session = new rt.Session({ name: "many" });
    const out = await session.run(() =>
      Promise.all(cities.map((city) => rt.call(tools.forecast!, { city }))),
    );
    expect(out.map((w) => (w as { city: string }).city)).toEqual(cities);
    const calls = session.tree.root.children;
    expect(calls).toHaveLength(cities.length);
    calls.forEach((call, i) => {
      const [served] = call.children;
      expect(served!.input).toEqual([{ city: cities[i] }]);
      expect(served!.children.find((r) => r.node === "geocode")!.input).toEqual([cities[i]]);
    });
    const ids = [...session.tree].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(session.tree.size).toBe(cities.length * 5);
  });

  it("turns a tool's error result into McpToolError, recorded on the call, with the server's failed calls under it", async () => {
    const session = new rt.Session({ name: "alerts" });
    const error = await session
      .run(() => rt.call(tools.alerts!, { city: "Atlantis" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpToolError);
    expect(error).toMatchObject({
      code: "RUNTRACE_MCP",
      reason: "tool",
      server: "fixture-weather",
      tool: "alerts",
      message: 'MCP tool "alerts" on server "fixture-weather" failed: no weather station in Atlantis',
    });
    expect((error as McpToolError).result?.isError).toBe(true);
    const call = session.tree.find("alerts")!;
    expect(call.status).toBe("error");
    expect(call.error).toMatchObject({ name: "McpToolError", code: "RUNTRACE_MCP" });
    const [served] = call.children;
    expect([served!.node, served!.status]).toEqual(["alerts", "error"]);
    expect(served!.children.map((r) => [r.node, r.status, r.error?.message])).toEqual([
      ["checkCity", "error", "no weather station in Atlantis"],
    ]);
  });

  it("times out on the node's timeoutMs, and the server's call is cancelled", async () => {
    const [slow] = await mcpTools(connection.client, { filter: (t) => t.name === "slow", timeoutMs: 100 });
    const session = new rt.Session({ name: "impatient" });
    const started = Date.now();
    const error = await session.run(() => rt.call(slow!, { ms: 5_000 })).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(rt.NodeTimeoutError);
    expect(session.tree.find("slow")!.status).toBe("timeout");
    // The request was cancelled: the server's session of it ends cancelled, well before 5 s.
    const cancelled = await waitFor(async () => {
      const sessions = await rt.jsonlStore({ dir: serverDir }).listSessions();
      return sessions.find((s) => s.name === "tools/call slow" && s.status === "cancelled");
    });
    expect(cancelled).toBeDefined();
  });

  it("fails with McpToolError naming the server when the MCP request times out", async () => {
    const [slow] = await mcpTools(connection.client, {
      filter: (t) => t.name === "slow",
      requestTimeoutMs: 100,
    });
    const session = new rt.Session({ name: "short request" });
    const error = await session.run(() => rt.call(slow!, { ms: 3_000 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpToolError);
    expect(error).toMatchObject({ reason: "timeout", server: "fixture-weather", tool: "slow" });
    expect((error as Error).message).toMatch(
      /^MCP server "fixture-weather" did not answer tool "slow" within 100 ms \(the MCP request timeout\)/,
    );
    expect(session.tree.find("slow")!.status).toBe("error");
  });
});

describe("a server that dies mid-call", () => {
  it("fails the call at once with McpToolError naming the server, and does not hang", async () => {
    const dying = await connectStdio(fixture.script, serverDir);
    try {
      const [slow] = await mcpTools(dying.client, { filter: (t) => t.name === "slow" });
      const session = new rt.Session({ name: "doomed" });
      const pending = session.run(() => rt.call(slow!, { ms: 30_000 }));
      await sleep(200);
      process.kill(dying.transport.pid!, "SIGKILL");
      const started = Date.now();
      const error = await pending.catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(error).toBeInstanceOf(McpToolError);
      expect(error).toMatchObject({ reason: "closed", server: "fixture-weather", tool: "slow" });
      expect((error as Error).message).toMatch(
        /^MCP server "fixture-weather" closed the connection while tool "slow" was running/,
      );
      const call = session.tree.find("slow")!;
      expect(call.status).toBe("error");
      expect(call.error?.message).toContain('MCP server "fixture-weather" closed the connection');
      // Later calls fail the same way, at once.
      const next = await rt.call(slow!, { ms: 1 }).catch((e: unknown) => e);
      expect(next).toMatchObject({ name: "McpToolError", server: "fixture-weather" });
    } finally {
      await dying.client.close();
    }
  });
});

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 3_000): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const found = await check();
    if (found !== undefined) return found;
    await sleep(25);
  }
  return undefined;
}
