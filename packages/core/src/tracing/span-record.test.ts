import { context, propagation, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import { describe, expect, it } from "vitest";
import * as rt from "../index.js";
import { storedRecord } from "../recording/record.js";

const SESSION = "20261122-174751-4f5d811acd";
const TRACE = "5b8efff798038103d269b633813fc60c";
const T0 = 1_795_369_671_142.311;

let spanIds = 0;
const nextSpanId = () => (++spanIds).toString(16).padStart(16, "0");

/** A record as a stored session has it, with every field this test sets. */
function record(fields: Partial<rt.CallRecord> & Pick<rt.CallRecord, "id" | "kind" | "node">): rt.CallRecord {
  const out = storedRecord(
    fields.id,
    fields.parentId ?? "0",
    SESSION,
    fields.node,
    fields.kind,
    T0 + 1,
    undefined,
  );
  out.status = "ok";
  out.end = T0 + 12.5;
  out.attempts = fields.kind === "session" ? 0 : 1;
  out.traceId = TRACE;
  out.spanId = nextSpanId();
  return Object.assign(out, fields);
}

/** What leaves with a record's span: describeSpan, plus the ids, times and resource the span has. */
function asSpan(source: rt.CallRecord, service?: string): rt.SpanData {
  const end = source.end ?? source.start + 50;
  const described = rt.describeSpan(source, { input: true, output: true }, end);
  return {
    traceId: TRACE,
    spanId: source.spanId!,
    name: described.name,
    kind: described.kind,
    start: source.start,
    end,
    attributes: described.attributes,
    events: described.events.map((event) => ({ ...event, attributes: event.attributes ?? {} })),
    status: described.status,
    resource: service === undefined ? {} : { "service.name": service },
  };
}

function back(source: rt.CallRecord, service?: string): rt.CallRecord {
  return rt.spanRecord(asSpan(source, service), {
    sessionId: SESSION,
    parentId: source.parentId,
    ...(source.kind === "session" ? { id: "0" } : {}),
    service,
  });
}

const failure = {
  name: "TypeError",
  message: "bad input",
  stack: "TypeError: bad input\n    at x (y.js:1:1)",
};

describe("a runtrace call's span turned back into its record", () => {
  const kinds: rt.NodeKind[] = ["function", "tool", "llm", "agent", "flow"];
  const endings: Array<Partial<rt.CallRecord>> = [
    { status: "ok", output: { answer: 42, words: ["a", "b"] } },
    { status: "error", error: failure },
    { status: "error", error: { name: "Error", message: "no stack" } },
    { status: "timeout", error: { name: "NodeTimeoutError", message: "timed out after 10 ms" } },
    { status: "cancelled", error: { name: "CancelledError", message: "Session was cancelled: stop" } },
    { status: "skipped", attempts: 0 },
    { status: "running", end: undefined },
  ];

  for (const kind of kinds) {
    for (const ending of endings) {
      it(`is the record describeSpan was given: ${kind}, ${ending.status}`, () => {
        const source = record({
          id: "7",
          parentId: "3",
          kind,
          node: `${kind}-node`,
          input: ["Oslo", { day: 3 }],
          attributes: {
            team: "a",
            "gen_ai.request.model": "m-1",
            "flow.step": "fetch",
            "flow.graph": { steps: [{ name: "a", node: "a", exclude: false }], edges: [["a", "b"]] },
            "flow.criticalPath": ["a", "b"],
            size: 3,
          },
          events: [
            { name: "progress", time: T0 + 2, data: { step: 1, done: false } },
            { name: "note", time: T0 + 3, data: "plain text" },
            { name: "tick", time: T0 + 4 },
            {
              name: "retry",
              time: T0 + 5,
              data: {
                attempt: 1,
                delayMs: 100,
                error: { name: "Error", message: "flake", stack: "Error: flake" },
              },
            },
          ],
          attempts: 2,
          waitMs: 4.25,
          ...ending,
        });
        expect(back(source)).toEqual(source);
      });
    }
  }

  for (const ending of [...endings.slice(0, 5), { status: "interrupted" as const, end: undefined }]) {
    it(`is the session's root record: ${ending.status}`, () => {
      const root = record({
        id: "0",
        parentId: null,
        kind: "session",
        node: "nightly",
        attributes: { "service.name": "shop", team: "a" },
        ...ending,
      });
      if (root.status !== "ok") root.output = undefined;
      expect(back(root, "shop")).toEqual(root);
    });
  }

  it("keeps the parent it is given and the call id, and marks calls of another session", () => {
    const source = record({ id: "12", parentId: "4", kind: "tool", node: "search" });
    const span = asSpan(source);
    expect(rt.spanRecord(span, { sessionId: SESSION, parentId: "9" })).toMatchObject({
      id: "12",
      parentId: "9",
    });
    const elsewhere = rt.spanRecord(span, { sessionId: "20261122-000000-aaaaaaaaaa", parentId: "9" });
    expect(elsewhere).toMatchObject({
      id: span.spanId,
      kind: "tool",
      attributes: { "runtrace.session.id": SESSION, "runtrace.call.id": "12" },
    });
    // A session's root under another record: id "0" is the stored root's.
    const root = asSpan(record({ id: "0", parentId: null, kind: "session", node: "s" }));
    expect(rt.spanRecord(root, { sessionId: SESSION, parentId: "5" }).id).toBe(root.spanId);
  });

  it("is the record of a live call, through a real SDK span", async () => {
    const memory = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    provider.register();
    try {
      rt.configure({ store: null });
      rt.configureTracing({ recordPayloads: true });
      let tries = 0;
      const flaky = rt.functionNode(
        (q: string) => {
          if (++tries < 2) throw new Error("flake");
          rt.event("progress", { step: 2 });
          return q.toUpperCase();
        },
        { name: "flaky", kind: "tool", retry: { attempts: 2, delayMs: 1 } },
      );
      const broken = rt.functionNode(
        () => {
          throw new TypeError("broken on purpose");
        },
        { name: "broken" },
      );
      const agent = rt.functionNode(
        async () => [await rt.call(flaky, "q"), await rt.call(broken).catch(() => "caught")],
        { name: "planner", kind: "agent" },
      );
      const session = new rt.Session({ name: "live" });
      await session.run(() => rt.call(agent));
      const spans = memory.getFinishedSpans();
      const byCall = new Map(spans.map((s) => [String(s.attributes["runtrace.call.id"]), s]));
      for (const source of [session.tree.root, ...session.tree]) {
        const span = fromReadable(byCall.get(source.id)!);
        const got = rt.spanRecord(span, {
          sessionId: session.id,
          parentId: source.parentId,
          ...(source.kind === "session" ? { id: "0" } : {}),
        });
        const { start, end, ...rest } = rt.recordFields(got);
        const { start: start0, end: end0, ...expected } = rt.recordFields(source);
        expect(rest).toEqual(expected);
        // Times cross the SDK as nanoseconds: the same to the microsecond.
        expect(Math.abs(start - start0)).toBeLessThan(0.001);
        expect(Math.abs(end! - end0!)).toBeLessThan(0.001);
      }
    } finally {
      await provider.shutdown();
      rt.configureTracing({ recordPayloads: false });
      trace.disable();
      context.disable();
      propagation.disable();
    }
  });
});

const hrMs = ([seconds, nanos]: [number, number]) => seconds * 1000 + nanos / 1e6;
const KINDS: rt.SpanKindName[] = ["internal", "server", "client", "producer", "consumer"];

/** A live SDK span as plain span data. */
function fromReadable(span: ReadableSpan): rt.SpanData {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: KINDS[span.kind]!,
    start: hrMs(span.startTime),
    end: hrMs(span.endTime),
    attributes: { ...span.attributes },
    events: span.events.map((e) => ({ name: e.name, time: hrMs(e.time), attributes: { ...e.attributes } })),
    status:
      span.status.code === SpanStatusCode.ERROR
        ? { code: "error", message: span.status.message }
        : { code: span.status.code === SpanStatusCode.OK ? "ok" : "unset" },
  };
}

describe("a span runtrace did not make", () => {
  const span: rt.SpanData = {
    traceId: TRACE,
    spanId: "00f067aa0ba902b7",
    parentSpanId: "00f067aa0ba902b6",
    name: "POST /v1/chat/completions",
    kind: "client",
    start: T0,
    end: T0 + 120,
    attributes: {
      "http.request.method": "POST",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 34,
      "http.request.header.authorization": ["Bearer sk-live-abcdefghijklmnop1234"],
      tags: ["a", "b"],
    },
    events: [
      { name: "retrying", time: T0 + 5, attributes: { attempt: 2 } },
      {
        name: "exception",
        time: T0 + 119,
        attributes: {
          "exception.type": "APIError",
          "exception.message": "rate limited",
          "exception.stacktrace": "at x",
        },
      },
    ],
    status: { code: "error", message: "429 Too Many Requests" },
    resource: { "service.name": "gateway" },
  };

  it("becomes a record of kind span: its name, attributes (redacted), events, status and error", () => {
    const got = rt.spanRecord(span, { sessionId: SESSION, parentId: "0", service: "gateway" });
    expect(got).toMatchObject({
      id: span.spanId,
      parentId: "0",
      node: "POST /v1/chat/completions",
      kind: "span",
      status: "error",
      start: T0,
      end: T0 + 120,
      attempts: 1,
      traceId: TRACE,
      spanId: span.spanId,
      error: { name: "APIError", message: "429 Too Many Requests", stack: "at x" },
      attributes: {
        "http.request.method": "POST",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 34,
        "http.request.header.authorization": "[redacted]",
        tags: ["a", "b"],
        "span.kind": "client",
      },
      events: [
        { name: "retrying", time: T0 + 5, data: { attempt: 2 } },
        { name: "exception", time: T0 + 119, data: span.events[1]!.attributes },
      ],
    });
    expect(got.input).toBeUndefined();
    expect(got.attributes["service.name"]).toBeUndefined();
  });

  it("exports back as the span it was: name, kind, attributes, events and status", () => {
    const got = rt.spanRecord(span, { sessionId: SESSION, parentId: "0" });
    const described = rt.describeSpan(got, { input: true, output: true });
    expect(described).toEqual({
      name: span.name,
      kind: "client",
      attributes: { ...span.attributes, "http.request.header.authorization": "[redacted]" },
      events: span.events,
      status: { code: "error", message: "429 Too Many Requests" },
    });
    expect(got.attributes["service.name"]).toBe("gateway");
    // OK set by the application stays OK; UNSET stays unset; INTERNAL is the default kind.
    const ok = rt.spanRecord(
      { ...span, kind: "internal", events: [], status: { code: "ok" } },
      {
        sessionId: SESSION,
        parentId: "0",
      },
    );
    expect(ok).toMatchObject({ status: "ok", error: undefined });
    expect(rt.describeSpan(ok, { input: true, output: true })).toMatchObject({
      kind: "internal",
      status: { code: "ok" },
    });
    const unset = rt.spanRecord(
      { ...span, status: { code: "unset" } },
      { sessionId: SESSION, parentId: "0" },
    );
    expect(rt.describeSpan(unset, { input: true, output: true }).status).toEqual({ code: "unset" });
  });

  it("names a trace's session after its root span, or after its service until the root comes", () => {
    const root = rt.traceRootRecord({ ...span, parentSpanId: undefined }, SESSION);
    expect(root).toMatchObject({
      id: "0",
      parentId: null,
      kind: "session",
      node: span.name,
      status: "error",
    });
    expect(root.attributes).toEqual({ "service.name": "gateway" });
    expect(root.spanId).toBeUndefined();
    const standIn = rt.traceRootRecord(span, SESSION, false);
    expect(standIn).toMatchObject({ node: "gateway", status: "running", end: undefined, start: T0 });
    expect(rt.isTraceRoot(span)).toBe(false);
    expect(rt.isTraceRoot({ ...span, parentSpanId: "" })).toBe(true);
  });

  it("shows in a terminal tree with its span kind", () => {
    const root = rt.traceRootRecord({ ...span, parentSpanId: undefined, status: { code: "unset" } }, SESSION);
    const tree = new rt.CallTree(root);
    tree.attach(rt.spanRecord(span, { sessionId: SESSION, parentId: "0" }), root);
    const lines = rt.formatTree(tree, { color: false }).split("\n");
    expect(lines[1]).toMatch(/^└─ ✗ POST \/v1\/chat\/completions \[span client\] 120 ms error APIError: 429/);
  });

  it("is never taken for a runtrace call when its identity could not be runtrace's", () => {
    const forged = { "runtrace.node": "x", "runtrace.kind": "tool", "runtrace.session.id": SESSION };
    for (const callId of ['1"', "../1", "", 7]) {
      const got = rt.spanRecord(
        { ...span, attributes: { ...forged, "runtrace.call.id": callId } },
        { sessionId: SESSION, parentId: "0" },
      );
      expect(got.kind).toBe("span");
    }
    const kind = rt.spanRecord(
      { ...span, attributes: { ...forged, "runtrace.call.id": "1", "runtrace.kind": "span" } },
      { sessionId: SESSION, parentId: "0" },
    );
    expect(kind.kind).toBe("span");
  });
});
