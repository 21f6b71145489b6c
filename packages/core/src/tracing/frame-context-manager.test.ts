import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { context, createContextKey, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";
import { contextInFrames, FrameContextManager } from "./frame-context-manager.js";
import { setupTracing } from "./setup.js";

const KEY = createContextKey("test.key");
let memory: InMemorySpanExporter;
let provider: NodeTracerProvider;

beforeEach(() => {
  rt.configure({ store: null });
  memory = new InMemorySpanExporter();
  provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  provider.register({ contextManager: new FrameContextManager() });
});

afterEach(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const spanNamed = (name: string): ReadableSpan => memory.getFinishedSpans().find((s) => s.name === name)!;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe("FrameContextManager", () => {
  it("is what sessions keep their contexts in once registered, and not after context.disable()", () => {
    expect(contextInFrames()).toBe(true);
    context.disable();
    expect(contextInFrames()).toBe(false);
  });

  it("carries contexts outside runtrace's calls as the SDK's manager does", async () => {
    const outer = ROOT_CONTEXT.setValue(KEY, "outer");
    const seen = await context.with(outer, async () => {
      await sleep(1);
      const inner = context.with(context.active().setValue(KEY, "inner"), () =>
        context.active().getValue(KEY),
      );
      return [context.active().getValue(KEY), inner];
    });
    expect(seen).toEqual(["outer", "inner"]);
    expect(context.active()).toBe(ROOT_CONTEXT);
  });

  it("puts a node's own spans under its call's span, each of parallel calls under its own", async () => {
    const tracer = trace.getTracer("app");
    const leaf = rt.functionNode(
      async (i: number) => {
        await sleep(3 - i);
        // Still in its own call after a context.with of its own, and after awaiting.
        return tracer.startActiveSpan(`own ${i}`, async (span) => {
          await sleep(1);
          const id = rt.current()?.id;
          span.end();
          return id;
        });
      },
      { name: "leaf" },
    );
    const root = rt.functionNode(async () => Promise.all([0, 1, 2].map((i) => rt.call(leaf, i))), {
      name: "root",
    });
    const ids = await rt.session("frames", () => rt.call(root));
    expect(new Set(ids).size).toBe(3);
    const leaves = memory.getFinishedSpans().filter((s) => s.name === "leaf");
    for (const i of [0, 1, 2]) {
      const own = spanNamed(`own ${i}`);
      const caller = leaves.find((s) => s.spanContext().spanId === parentOf(own))!;
      expect(caller.attributes["runtrace.call.id"]).toBe(ids[i]);
      expect(parentOf(caller)).toBe(spanNamed("root").spanContext().spanId);
    }
  });

  it("keeps what the caller's code put in its context (baggage) inside the calls it makes", async () => {
    const read = rt.functionNode(() => context.active().getValue(KEY), { name: "read" });
    const value = await rt.session("baggage", () =>
      context.with(context.active().setValue(KEY, "from the caller"), () => rt.call(read)),
    );
    expect(value).toBe("from the caller");
    expect(parentOf(spanNamed("read"))).toBe(spanNamed("baggage").spanContext().spanId);
  });

  it("binds functions and event emitters to a context", async () => {
    const bound = context.with(ROOT_CONTEXT.setValue(KEY, "bound"), () => ({
      fn: context.bind(context.active(), () => context.active().getValue(KEY)),
      emitter: context.bind(context.active(), new EventEmitter()),
    }));
    expect(bound.fn()).toBe("bound");
    expect(bound.fn.length).toBe(0);
    const heard: unknown[] = [];
    const listener = () => heard.push(context.active().getValue(KEY));
    bound.emitter.on("tick", listener);
    bound.emitter.emit("tick");
    bound.emitter.off("tick", listener);
    bound.emitter.emit("tick");
    bound.emitter.once("tock", listener);
    bound.emitter.emit("tock");
    bound.emitter.emit("tock");
    expect(heard).toEqual(["bound", "bound"]);
  });
});

describe("setupTracing", () => {
  it("registers runtrace's context manager, unless the application registered one first", async () => {
    context.disable();
    trace.disable();
    const ours = setupTracing({ serviceName: "frames", endpoint: "http://127.0.0.1:9" });
    expect(contextInFrames()).toBe(true);
    await ours.shutdown();
    expect(contextInFrames()).toBe(false);

    // The application's SDK setup registers the SDK's own manager first.
    const app = new NodeTracerProvider();
    app.register();
    trace.disable();
    const beside = setupTracing({ serviceName: "frames", endpoint: "http://127.0.0.1:9" });
    expect(contextInFrames()).toBe(false);
    const seen = context.with(ROOT_CONTEXT.setValue(KEY, "app"), () => context.active().getValue(KEY));
    expect(seen).toBe("app");
    await beside.shutdown();
    await app.shutdown();
  });
});
