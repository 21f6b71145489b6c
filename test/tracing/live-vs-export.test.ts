import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";
import { describe, expect, it } from "vitest";
import { toJaegerJson, toOtlpJson } from "../../packages/viz/src/index.js";
import { decodeJsonRequest, type ReceivedSpan } from "../otlp-receiver/decode.js";
import type { JaegerSpan, JaegerTag } from "../otlp-receiver/jaeger.js";
import { receiver, tracing, useTracingTestHooks, warnings } from "./helpers.js";

useTracingTestHooks();

const wait = (ms: number) => sleep(ms, undefined, { signal: rt.signal() });

// Names are given: esbuild (vitest) renames function expressions that shadow their const.
const weather = rt.functionNode(
  async ({ city }: { city: string }) => {
    await wait(3);
    rt.event("forecast.ready", { city, source: "cache" });
    return { city, forecast: "sunny" };
  },
  { name: "weather", kind: "tool", description: "The forecast for a city" },
);
const hotels = rt.functionNode(
  async ({ city }: { city: string }) => {
    await wait(2);
    throw new RangeError(`no hotel in ${city}`);
  },
  { name: "hotels", kind: "tool", description: "A hotel for a city" },
);
const lookupTool = rt.functionNode(async (key: string) => ({ key, found: true }), {
  name: "lookupTool",
  kind: "tool",
});
const flaky = rt.functionNode(
  async () => {
    if (rt.current()!.attempt === 1) throw new Error("busy (503)");
    return "second time lucky";
  },
  { name: "flaky", retry: { attempts: 2, delayMs: 1 } },
);
const stuckChild = rt.functionNode(() => wait(1_000), { name: "stuckChild" });
const slow = rt.functionNode(() => rt.call(stuckChild), { name: "slow", timeoutMs: 15 });

const model = rt.scriptedModel(
  [
    {
      toolCalls: [
        { name: "weather", arguments: { city: "Lisbon" } },
        { name: "hotels", arguments: { city: "Lisbon" } },
      ],
    },
    "Sunny in Lisbon; no hotel found.",
    "A short helper answer.",
    { text: "Day one: the river. Day two: the hills.", tokenDelayMs: 1 },
  ],
  { name: "scripted-1" },
);
const researcher = rt.agentNode({
  name: "researcher",
  model,
  system: "Plan a trip",
  tools: [weather, hotels],
});
const helperAgent = rt.agentNode({ name: "helperAgent", model, tools: [] });
const writer = rt.llmNode({ name: "writer", model });

const plan = rt.flow(
  "planTrip",
  {
    research: researcher,
    stepAgent: { node: helperAgent, after: ["research"] },
    stepTool: { node: lookupTool, after: ["research"], args: () => ["lisbon"] },
  },
  { returns: "stepAgent" },
);

async function runSession(): Promise<rt.Session> {
  const session = new rt.Session({ name: "trip", attributes: { user: "u42" } });
  await session.run(async () => {
    rt.setAttributes({ "app.request": "trip-1" });
    await rt.call(plan, "3 days in Lisbon");
    await Promise.all([rt.call(flaky), rt.call(slow).catch(() => undefined)]);
    const tokens: string[] = [];
    for await (const token of rt.stream(writer, "itinerary")) tokens.push(token);
    return tokens.join("");
  });
  return session;
}

/** A span's identity: the call it belongs to. */
const callOf = (attributes: Record<string, unknown>) => String(attributes["runtrace.call.id"]);
const microseconds = (ns: bigint) => Number(ns / 1000n);

/** Everything a user sees of a span, with times in µs (the stored precision). */
function shape(span: ReceivedSpan) {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    start: microseconds(span.startNs),
    end: microseconds(span.endNs),
    attributes: span.attributes,
    events: span.events.map((e) => ({
      name: e.name,
      time: microseconds(e.timeNs),
      attributes: e.attributes,
    })),
    status: span.status,
  };
}

const byKey = (a: JaegerTag, b: JaegerTag) => a.key.localeCompare(b.key);
/** Jaeger's tags without the instrumentation scope (only live spans have one). */
const jaegerTags = (span: JaegerSpan) =>
  span.tags.filter((t) => !t.key.startsWith("otel.scope.")).sort(byKey);

describe("one span shape, live and exported", () => {
  it("live spans and both exports of the same stored session agree on every span", async () => {
    const jaegerLike = await receiver();
    const setup = tracing({ serviceName: "trip-planner", endpoint: jaegerLike.url });
    rt.configureTracing({ recordPayloads: true });
    const dir = mkdtempSync(join(tmpdir(), "runtrace-shape-"));
    rt.configure({ store: rt.jsonlStore({ dir }) });
    try {
      const session = await runSession();
      await setup.flush();
      const live = await jaegerLike.waitForSpans(session.tree.size + 1);
      const stored = await rt.readSession(session.id, { dir });

      // The session covers every kind of span and every way a call ends.
      const kinds = new Set([...stored].map((r) => r.kind));
      expect([...kinds].sort()).toEqual(["agent", "flow", "function", "llm", "tool"]);
      const statuses = new Set([...stored].map((r) => r.status));
      expect([...statuses].sort()).toEqual(["cancelled", "error", "ok", "timeout"]);
      expect(stored.find("flaky")!.attempts).toBe(2);

      // OTLP: the export decodes to exactly the live spans.
      const exported = decodeJsonRequest(JSON.stringify(toOtlpJson(stored)));
      expect(exported).toHaveLength(live.length);
      const liveByCall = new Map(live.map((span) => [callOf(span.attributes), span]));
      for (const span of exported) {
        const twin = liveByCall.get(callOf(span.attributes));
        expect(twin, span.name).toBeDefined();
        expect(shape(span), span.name).toEqual(shape(twin!));
        expect(span.resource["service.name"]).toBe("trip-planner");
      }

      // Jaeger: the export shows every span as Jaeger shows the live one.
      const liveJaeger = jaegerLike.jaeger().data[0]!;
      const exportedJaeger = toJaegerJson(stored).data[0]!;
      expect(exportedJaeger.traceID).toBe(liveJaeger.traceID);
      const liveJaegerById = new Map(liveJaeger.spans.map((span) => [span.spanID, span]));
      for (const span of exportedJaeger.spans) {
        const twin = liveJaegerById.get(span.spanID)!;
        expect(span.operationName).toBe(twin.operationName);
        expect(span.references).toEqual(twin.references);
        expect(span.startTime).toBe(twin.startTime);
        expect(span.duration).toBe(twin.duration);
        expect(jaegerTags(span as JaegerSpan), span.operationName).toEqual(jaegerTags(twin));
        expect(span.logs.map((l) => ({ ...l, fields: [...l.fields].sort(byKey) }))).toEqual(
          twin.logs.map((l) => ({ ...l, fields: [...l.fields].sort(byKey) })),
        );
        expect(exportedJaeger.processes[span.processID]!.serviceName).toBe("trip-planner");
      }
      expect(warnings).toEqual([]);

      // What the conventions ask for, visible in both.
      const names = exported.map((s) => s.name);
      expect(names).toEqual(
        expect.arrayContaining([
          "trip",
          "invoke_workflow planTrip",
          "invoke_agent researcher",
          "invoke_agent helperAgent",
          "execute_tool weather",
          "execute_tool hotels",
          "execute_tool lookupTool",
          "chat scripted-1",
        ]),
      );
      const named = (name: string) => exported.find((s) => s.name === name)!;
      expect(named("invoke_agent helperAgent").attributes["gen_ai.agent.name"]).toBe("helperAgent");
      expect(named("execute_tool lookupTool").attributes).toMatchObject({
        "gen_ai.tool.name": "lookupTool",
        "gen_ai.tool.type": "function",
        "gen_ai.operation.name": "execute_tool",
        "runtrace.node": "stepTool",
      });
      expect(named("invoke_workflow planTrip").attributes).toMatchObject({
        "gen_ai.workflow.name": "planTrip",
        "runtrace.flow.criticalPath": ["research", "stepAgent"],
      });
      expect(
        Object.keys(named("invoke_workflow planTrip").attributes).some((k) => k.startsWith("flow.")),
      ).toBe(false);
      expect(named("chat scripted-1").kind).toBe(3);
      const failed = named("execute_tool hotels");
      expect(failed.status).toEqual({ code: 2, message: "no hotel in Lisbon" });
      expect(failed.attributes["error.type"]).toBe("RangeError");
      expect(failed.events.at(-1)).toMatchObject({
        name: "exception",
        attributes: { "exception.type": "RangeError", "exception.message": "no hotel in Lisbon" },
      });
      expect(named("execute_tool weather").status).toEqual({ code: 0 });
    } finally {
      rt.configureTracing({ recordPayloads: false });
    }
  });

  it("exports take --service, and default to the traced service or runtrace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-service-"));
    rt.configure({ store: rt.jsonlStore({ dir }) });
    const session = new rt.Session({ name: "untraced" });
    await session.run(() => rt.call(lookupTool, "k"));
    const stored = await rt.readSession(session.id, { dir });
    const services = (request: ReturnType<typeof toOtlpJson>) =>
      request.resourceSpans.map((r) => r.resource.attributes.find((a) => a.key === "service.name")!.value);
    expect(services(toOtlpJson(stored))).toEqual([{ stringValue: "runtrace" }]);
    expect(services(toOtlpJson(stored, { service: "checkout" }))).toEqual([{ stringValue: "checkout" }]);
    const jaeger = toJaegerJson(stored, { service: "checkout" }).data[0]!;
    expect(Object.values(jaeger.processes).map((p) => p.serviceName)).toEqual(["checkout"]);
  });
});
