/**
 * mcpTools and serveNodes over Streamable HTTP: the fixture server (mcp-fixtures/nodes.ts) behind a
 * real HTTP server on 127.0.0.1, in this process, so that one in-memory span exporter sees the
 * spans of both sides.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { context, propagation, trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import * as rt from "@runtrace/core";
import { McpToolError, type McpToolNode, mcpTools } from "@runtrace/core/mcp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetWarnings } from "../../packages/core/src/recording/logger.js";
import { fixtureServer } from "./mcp-fixtures/nodes.js";
import { connectHttp, type HttpMcpServer, startHttpServer } from "./mcp-helpers.js";

const warnings: string[] = [];
let http: HttpMcpServer;
let client: Client;
let tools: Record<string, McpToolNode>;

beforeAll(async () => {
  http = await startHttpServer(() => fixtureServer({ store: null }));
  client = await connectHttp(http.url);
  tools = Object.fromEntries((await mcpTools(client)).map((node) => [node.name, node]));
});

afterAll(async () => {
  await client?.close();
  await http?.close();
});

beforeEach(() => {
  warnings.length = 0;
  resetWarnings();
  rt.configure({ store: null, logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
});

describe("mcpTools over Streamable HTTP", () => {
  it("lists the tools and grafts the server's calls under each call's record", async () => {
    expect(Object.keys(tools)).toEqual(["forecast", "alerts", "slow", "sum"]);
    const session = new rt.Session({ name: "trip" });
    const [oslo, total] = await session.run(() =>
      Promise.all([
        rt.call(tools.forecast!, { city: "Oslo" }),
        rt.call(tools.sum!, { numbers: [1, 2, 3.5] }),
      ]),
    );
    expect(oslo).toEqual({ city: "Oslo", degrees: 10, sky: "cloudy" });
    // A number comes back as a number, not as its text.
    expect(total).toBe(6.5);
    const [forecast, sum] = session.tree.root.children;
    expect(forecast!.children[0]!.children.map((r) => [r.node, r.status])).toEqual([
      ["geocode", "ok"],
      ["temperature", "ok"],
      ["sky", "ok"],
    ]);
    expect(sum!.children.map((r) => [r.node, r.input, r.output])).toEqual([["sum", [[1, 2, 3.5]], 6.5]]);
    const ids = [...session.tree].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(warnings).toEqual([]);
  });

  it("turns a failing tool into McpToolError and records it", async () => {
    const error = await rt.call(tools.alerts!, { city: "Atlantis" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpToolError);
    expect(error).toMatchObject({ reason: "tool", tool: "alerts", server: "fixture-weather" });
    expect((error as Error).message).toContain("no weather station in Atlantis");
  });

  it("rejects arguments the server's schema refuses, naming the tool", async () => {
    const error = await rt.call(tools.forecast!, { town: "Oslo" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpToolError);
    expect((error as Error).message).toMatch(/^MCP tool "forecast" on server "fixture-weather" failed: /);
    expect((error as Error).message).toContain("city");
  });

  it("times out on the node's timeoutMs and on the MCP request timeout", async () => {
    const [impatient] = await mcpTools(client, { filter: (t) => t.name === "slow", timeoutMs: 100 });
    const session = new rt.Session({ name: "timeouts" });
    const timedOut = await session.run(() => rt.call(impatient!, { ms: 5_000 })).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(rt.NodeTimeoutError);
    expect(session.tree.find("slow")!.status).toBe("timeout");

    const [shortRequest] = await mcpTools(client, {
      filter: (t) => t.name === "slow",
      requestTimeoutMs: 100,
    });
    const started = Date.now();
    const error = await rt.call(shortRequest!, { ms: 3_000 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ name: "McpToolError", reason: "timeout", tool: "slow" });
  });

  it("fails with McpToolError naming the server when the server is gone", async () => {
    const gone = await startHttpServer(() => fixtureServer({ store: null }));
    const goneClient = await connectHttp(gone.url);
    try {
      const [forecast] = await mcpTools(goneClient, { filter: (t) => t.name === "forecast" });
      await gone.close();
      const error = await rt.call(forecast!, { city: "Oslo" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpToolError);
      expect(error).toMatchObject({ reason: "request", server: "fixture-weather", tool: "forecast" });
      expect((error as Error).message).toMatch(
        /^MCP tool "forecast" on server "fixture-weather" could not be called: /,
      );
    } finally {
      await goneClient.close();
    }
  });
});

describe("trace context across MCP", () => {
  let memory: InMemorySpanExporter;
  let provider: NodeTracerProvider;

  beforeEach(() => {
    memory = new InMemorySpanExporter();
    provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    provider.register();
  });

  afterEach(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  const callIdOf = (span: ReadableSpan) => span.attributes["runtrace.call.id"];

  it("makes the server's spans children of the client call's span, in one trace", async () => {
    const session = new rt.Session({ name: "traced trip" });
    await session.run(() => rt.call(tools.forecast!, { city: "Paris" }));
    const call = session.tree.root.children[0]!;
    expect(call.traceId).toMatch(/^[0-9a-f]{32}$/);

    // The server's spans end before its answer is sent; give the exporter a moment anyway.
    await sleep(10);
    const spans = memory.getFinishedSpans();
    const serverRoot = spans.find((s) => s.name === "tools/call forecast")!;
    expect(serverRoot).toBeDefined();
    expect(serverRoot.spanContext().traceId).toBe(call.traceId);
    expect(serverRoot.parentSpanContext?.spanId).toBe(call.spanId);
    expect(serverRoot.attributes["runtrace.caller.session"]).toBe(session.id);

    // Every span of the server is in the client's trace, under the server's root.
    const serverSpans = spans.filter(
      (s) => s.attributes["runtrace.session.id"] === serverRoot.attributes["runtrace.session.id"],
    );
    expect(serverSpans.map((s) => s.name).sort()).toEqual(
      ["execute_tool forecast", "geocode", "sky", "temperature", "tools/call forecast"].sort(),
    );
    expect(new Set(serverSpans.map((s) => s.spanContext().traceId))).toEqual(new Set([call.traceId]));
    const served = serverSpans.find((s) => callIdOf(s) === "1")!;
    expect(served.parentSpanContext?.spanId).toBe(serverRoot.spanContext().spanId);

    // The grafted records carry the ids of the server's spans, so the two can be matched; they
    // are not exported again from the client (one span per call in the trace).
    const grafted = call.children[0]!;
    expect([grafted.traceId, grafted.spanId]).toEqual([
      served.spanContext().traceId,
      served.spanContext().spanId,
    ]);
    expect(spans.filter((s) => s.spanContext().spanId === grafted.spanId)).toHaveLength(1);
    const clientSpans = spans.filter((s) => s.attributes["runtrace.session.id"] === session.id);
    expect(clientSpans.map((s) => s.name).sort()).toEqual(["execute_tool forecast", "traced trip"]);
  });
});
