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

describe("what runtrace's spans carry", () => {
  it("names GenAI kinds by the conventions and renames a chat span when the model becomes known", async () => {
    const tool = rt.functionNode((q: string) => q, { name: "search", kind: "tool" });
    const agent = rt.functionNode(async () => rt.call(tool, "q"), { name: "planner", kind: "agent" });
    const llm = rt.functionNode(
      () => {
        rt.setAttributes({
          "gen_ai.request.model": "gpt-test",
          usage: { input_tokens: 3, output_tokens: 5 },
        });
        return "hi";
      },
      { name: "model", kind: "llm" },
    );
    const flow = rt.functionNode(async () => [await rt.call(agent), await rt.call(llm)], {
      name: "report",
      kind: "flow",
    });
    await rt.session("genai", () => rt.call(flow));
    const spans = app.memory.getFinishedSpans();
    const named = (name: string) => spans.find((s) => s.name === name)!;
    expect(named("execute_tool search").attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "search",
    });
    expect(named("invoke_agent planner").attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.name": "planner",
    });
    expect(named("invoke_workflow report").attributes["gen_ai.operation.name"]).toBe("invoke_workflow");
    const chat = named("chat gpt-test");
    expect(chat.kind).toBe(SpanKind.CLIENT);
    expect(chat.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-test",
      "usage.input_tokens": 3,
      "usage.output_tokens": 5,
    });
  });

  it("traces a real flow: invoke_workflow, its steps, and a skipped step that is not red", async () => {
    const ingest = rt.functionNode(
      () => {
        throw new Error("no input");
      },
      { name: "ingest" },
    );
    const report = rt.functionNode((x: unknown) => x, { name: "report" });
    const side = rt.functionNode(() => "ok", { name: "side" });
    const pipeline = rt.flow(
      "nightly",
      { ingest, side, report: { node: report, after: ["ingest"] } },
      { onError: "continue" },
    );
    const session = new rt.Session({ name: "flow" });
    await session.run(() => rt.call(pipeline, 1)).catch(() => undefined);
    const spans = app.memory.getFinishedSpans();
    expect(spans).toHaveLength(session.tree.size + 1);
    const flowSpan = spans.find((s) => s.name === "invoke_workflow nightly")!;
    expect(flowSpan.attributes["gen_ai.workflow.name"]).toBe("nightly");
    const skipped = byCallId(spans, session.tree.find("report")!.id);
    expect(skipped.attributes["runtrace.status"]).toBe("skipped");
    expect(skipped.status.code).toBe(SpanStatusCode.UNSET);
    expect(skipped.events.map((e) => e.name)).toContain("skipped");
    expect(byCallId(spans, session.tree.find("ingest")!.id).status.code).toBe(SpanStatusCode.ERROR);
  });

  it("records failures, timeouts, retries, events and cancellation on the spans", async () => {
    let tries = 0;
    const flaky = rt.functionNode(
      () => {
        if (++tries < 3) throw new Error(`flake ${tries}`);
        rt.event("progress", { step: 3, detail: { ok: true } });
        rt.event("note", "plain text");
        return "done";
      },
      { name: "flaky", retry: { attempts: 3, delayMs: 1 } },
    );
    const broken = rt.functionNode(
      () => {
        throw new TypeError("broken on purpose");
      },
      { name: "broken" },
    );
    const child = rt.functionNode(() => sleep(1_000, undefined, { signal: rt.signal() }), { name: "child" });
    const slow = rt.functionNode(() => rt.call(child), { name: "slow", timeoutMs: 30 });
    const session = new rt.Session({ name: "failures" });
    await session.run(async () => {
      await rt.call(flaky);
      await rt.call(broken).catch(() => undefined);
      await rt.call(slow).catch(() => undefined);
    });
    const spans = app.memory.getFinishedSpans();
    expect(spans).toHaveLength(session.tree.size + 1);
    expect(new Set(spans.map((s) => s.spanContext().spanId)).size).toBe(spans.length);
    const span = (node: string) => byCallId(spans, session.tree.find(node)!.id);

    const retries = span("flaky").events.filter((e) => e.name === "retry");
    expect(retries.map((e) => e.attributes?.["runtrace.retry.attempt"])).toEqual([1, 2]);
    expect(retries[0]!.attributes).toMatchObject({
      "exception.type": "Error",
      "exception.message": "flake 1",
    });
    expect(span("flaky").attributes["runtrace.attempts"]).toBe(3);
    const progress = span("flaky").events.find((e) => e.name === "progress")!;
    expect(progress.attributes).toEqual({ step: 3, "detail.ok": true });
    expect(span("flaky").events.find((e) => e.name === "note")!.attributes).toEqual({
      "runtrace.data": "plain text",
    });

    const broken_ = span("broken");
    expect(broken_.status).toEqual({ code: SpanStatusCode.ERROR, message: "broken on purpose" });
    expect(broken_.attributes["error.type"]).toBe("TypeError");
    const exception = broken_.events.find((e) => e.name === "exception")!;
    expect(exception.attributes).toMatchObject({
      "exception.type": "TypeError",
      "exception.message": "broken on purpose",
    });
    expect(String(exception.attributes?.["exception.stacktrace"])).toContain("broken on purpose");

    expect(span("slow").status.code).toBe(SpanStatusCode.ERROR);
    expect(span("slow").attributes["runtrace.status"]).toBe("timeout");
    // The cancelled child is not red: only the cause is.
    expect(span("child").status.code).toBe(SpanStatusCode.UNSET);
    expect(span("child").attributes["runtrace.status"]).toBe("cancelled");
    expect(span("child").attributes["runtrace.cancel.reason"]).toBeTypeOf("string");
    expect(warnings).toEqual([]);
  });

  it("puts recorded (redacted) inputs and outputs on spans only when asked", async () => {
    const echo = rt.functionNode((value: unknown) => value, { name: "echo" });
    await rt.session("quiet", () => rt.call(echo, { q: 1 }));
    expect(app.memory.getFinishedSpans().some((s) => "runtrace.input" in s.attributes)).toBe(false);
    app.memory.reset();
    rt.configureTracing({ recordPayloads: true });
    await rt.session("loud", () => rt.call(echo, { q: 1, apiKey: "sk-live-1234567890abcdef" }));
    const span = app.memory.getFinishedSpans().find((s) => s.name === "echo")!;
    expect(JSON.parse(String(span.attributes["runtrace.input"]))[0].q).toBe(1);
    expect(String(span.attributes["runtrace.input"])).not.toContain("sk-live-1234567890abcdef");
    expect(JSON.parse(String(span.attributes["runtrace.output"])).q).toBe(1);
  });

  it("keeps an attribute named __proto__ on the record, and the span's attributes and prototype whole", async () => {
    const node = rt.functionNode(
      () => {
        rt.setAttributes({ first: 1 });
        rt.setAttributes(JSON.parse('{"__proto__": ["a", "b"], "flow.step": "s1"}'));
        return rt.current()!.id;
      },
      { name: "odd keys" },
    );
    const session = new rt.Session({ name: "odd" });
    const id = await session.run(() => rt.call(node));
    const span = byCallId(app.memory.getFinishedSpans(), id);
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
    expect(Object.hasOwn(span.attributes, "__proto__")).toBe(false);
    const identity = ["runtrace.node", "runtrace.kind", "runtrace.session.id", "runtrace.call.id"];
    expect(Object.keys(span.attributes)).toEqual([...identity, "first", "runtrace.flow.step"]);
    expect(span.attributes).toMatchObject({ first: 1, "runtrace.flow.step": "s1" });
    const record = session.tree.find("odd keys")!;
    expect(JSON.stringify(record.attributes)).toBe('{"first":1,"__proto__":["a","b"],"flow.step":"s1"}');
    const described = rt.describeSpan(record, { input: false, output: false });
    expect(Object.getPrototypeOf(described.attributes)).toBe(Object.prototype);
    expect(Object.keys(described.attributes)).toEqual(Object.keys(span.attributes));
  });
});
