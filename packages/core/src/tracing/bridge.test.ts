import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";
import { resetWarnings } from "../recording/logger.js";

/** An application's own SDK setup: its provider, an in-memory exporter, no setupTracing. */
function appProvider() {
  const memory = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  provider.register();
  return { memory, provider, tracer: trace.getTracer("app") };
}

let app: ReturnType<typeof appProvider>;
const warnings: string[] = [];

beforeEach(() => {
  warnings.length = 0;
  resetWarnings();
  rt.configure({ store: null, logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
  rt.configureTracing({ recordPayloads: false });
  app = appProvider();
});

afterEach(async () => {
  await app.provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const byCallId = (spans: ReadableSpan[], id: string) =>
  spans.find((s) => s.attributes["runtrace.call.id"] === id)!;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

const splitText = rt.functionNode((text: string) => text.split(" "), { name: "splitText" });
const alternateCapitalization = rt.functionNode(
  async (word: string) => {
    await sleep(2);
    return [...word].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
  },
  { name: "alternateCapitalization" },
);
const modifyText = rt.functionNode(
  async (text: string) => {
    const words = await rt.call(splitText, text);
    return (await Promise.all(words.map((w) => rt.call(alternateCapitalization, w)))).join(" ");
  },
  { name: "modifyText" },
);

describe("an application's own tracer provider", () => {
  it("gets one span per call, parented like the call tree, with the records' ids and times", async () => {
    const session = new rt.Session({ name: "modify" });
    expect(await session.run(() => rt.call(modifyText, "Hello big World"))).toBe("hELLO BIG wORLD");
    const spans = app.memory.getFinishedSpans();
    expect(spans).toHaveLength(session.tree.size + 1);
    const root = session.tree.root;
    const rootSpan = byCallId(spans, "0");
    expect(rootSpan.name).toBe("modify");
    expect(rootSpan.parentSpanContext).toBeUndefined();
    expect(rootSpan.spanContext().spanId).toBe(root.spanId);
    for (const record of session.tree) {
      const span = byCallId(spans, record.id);
      expect(span.name).toBe(record.node);
      expect(span.kind).toBe(SpanKind.INTERNAL);
      expect(span.spanContext()).toMatchObject({ traceId: root.traceId, spanId: record.spanId });
      expect(parentOf(span)).toBe(session.tree.get(record.parentId!)!.spanId);
      expect(span.attributes).toMatchObject({
        "runtrace.node": record.node,
        "runtrace.kind": "function",
        "runtrace.session.id": session.id,
      });
      // Said only by calls that did not run exactly once.
      expect(span.attributes["runtrace.attempts"]).toBeUndefined();
      // Only calls that did not end ok say how they ended.
      expect(span.attributes["runtrace.status"]).toBeUndefined();
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      // High-resolution times: the record's, to the microsecond.
      const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;
      expect(ms(span.startTime)).toBeCloseTo(record.start, 2);
      expect(ms(span.endTime)).toBeCloseTo(record.end!, 2);
      expect(span.attributes["runtrace.input"]).toBeUndefined();
    }
  });

  it("writes the trace and span ids into the stored session (the tracer is the first writer)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-tracing-"));
    try {
      const session = new rt.Session({ name: "stored", store: rt.jsonlStore({ dir }) });
      await session.run(() => rt.call(modifyText, "a b"));
      await rt.flush();
      const stored = await rt.readSession(session.id, { dir });
      expect(stored.root.traceId).toBe(session.tree.root.traceId);
      const ids = (tree: rt.CallTree) => [...tree].map((r) => `${r.id}:${r.traceId}:${r.spanId}`);
      expect(ids(stored)).toEqual(ids(session.tree));
      expect([...stored].every((r) => r.spanId !== undefined)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("nests a manual startActiveSpan inside a node under that node's span, and calls made in it under the node", async () => {
    let manualParent: string | undefined;
    const inner = rt.functionNode(() => "x", { name: "inner" });
    const outer = rt.functionNode(
      () =>
        app.tracer.startActiveSpan("manual", async (span) => {
          manualParent = rt.current()?.spanId;
          await rt.call(inner);
          span.end();
        }),
      { name: "outer" },
    );
    const session = new rt.Session({ name: "s" });
    await session.run(() => rt.call(outer));
    const spans = app.memory.getFinishedSpans();
    const manual = spans.find((s) => s.name === "manual")!;
    const outerRecord = session.tree.find("outer")!;
    expect(parentOf(manual)).toBe(outerRecord.spanId);
    expect(manualParent).toBe(outerRecord.spanId);
    expect(parentOf(byCallId(spans, session.tree.find("inner")!.id))).toBe(outerRecord.spanId);
  });

  it("gives a stray call started after its session closed a span under its recorded parent", async () => {
    let later: Promise<unknown> | undefined;
    const late = rt.functionNode(() => "late", { name: "late" });
    const starter = rt.functionNode(
      () => {
        const bound = rt.bind(() => rt.call(late));
        setTimeout(() => {
          later = bound();
        }, 20);
      },
      { name: "starter" },
    );
    const session = new rt.Session({ name: "stray" });
    await session.run(() => rt.call(starter));
    await sleep(60);
    await later;
    const spans = app.memory.getFinishedSpans();
    const lateRecord = session.tree.find("late")!;
    expect(parentOf(byCallId(spans, lateRecord.id))).toBe(session.tree.find("starter")!.spanId);
    expect(byCallId(spans, lateRecord.id).spanContext().traceId).toBe(session.tree.root.traceId);
  });

  it("continues a trace from a W3C carrier, and rt.inject writes the current call's span", async () => {
    let carrier: Record<string, string> = {};
    const node = rt.functionNode(() => {
      carrier = rt.inject({});
    });
    const first = new rt.Session({ name: "caller" });
    await first.run(() => rt.call(node));
    const caller = first.tree.find(() => true)!;
    expect(carrier.traceparent).toBe(`00-${caller.traceId}-${caller.spanId}-01`);

    const second = new rt.Session({ name: "callee", parent: carrier });
    await second.run(() => rt.call(node));
    const calleeRoot = byCallId(
      app.memory.getFinishedSpans().filter((s) => s.name === "callee"),
      "0",
    );
    expect(calleeRoot.spanContext().traceId).toBe(caller.traceId);
    expect(calleeRoot.parentSpanContext).toMatchObject({ spanId: caller.spanId, isRemote: true });
    expect(rt.inject({ keep: "me" })).toEqual({ keep: "me" });
  });

  it("nests a session started inside a node (or inside an application span) under that span", async () => {
    let inner: rt.Session | undefined;
    const leaf = rt.functionNode(() => 1, { name: "leaf" });
    const host = rt.functionNode(
      async () => {
        inner = new rt.Session({ name: "inner" });
        await inner.run(() => rt.call(leaf));
      },
      { name: "host" },
    );
    const outer = new rt.Session({ name: "outer" });
    await app.tracer.startActiveSpan("request", async (request) => {
      await outer.run(() => rt.call(host));
      request.end();
    });
    const spans = app.memory.getFinishedSpans();
    const request = spans.find((s) => s.name === "request")!;
    const outerRoot = spans.find((s) => s.name === "outer")!;
    const innerRoot = spans.find((s) => s.name === "inner")!;
    expect(parentOf(outerRoot)).toBe(request.spanContext().spanId);
    expect(parentOf(innerRoot)).toBe(outer.tree.find("host")!.spanId);
    expect(inner!.tree.root.traceId).toBe(request.spanContext().traceId);
  });

  it("never throws into user code when the tracer fails", async () => {
    const failing = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error("tracer exploded");
        },
        startActiveSpan: () => {
          throw new Error("tracer exploded");
        },
      }),
    };
    trace.disable();
    trace.setGlobalTracerProvider(failing as never);
    const double = rt.functionNode((n: number) => n * 2, { name: "double" });
    expect(await rt.session("s", () => rt.call(double, 21))).toBe(42);
    expect(await rt.session("s", () => rt.call(double, 4))).toBe(8);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("tracer exploded");
  });
});

describe("with no tracer provider registered", () => {
  it("does no OpenTelemetry work: no ids, no spans", async () => {
    trace.disable();
    const probe = rt.functionNode(() => rt.current()?.traceId, { name: "probe" });
    const session = new rt.Session({ name: "untraced" });
    expect(await session.run(() => rt.call(probe))).toBeUndefined();
    expect(session.tree.root.traceId).toBeUndefined();
    expect(rt.inject({})).toEqual({});
    expect(app.memory.getFinishedSpans()).toHaveLength(0);
  });
});
