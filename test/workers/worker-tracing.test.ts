import { fileURLToPath } from "node:url";
import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import * as rt from "@runtrace/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeWorkerPools } from "../../packages/core/src/workers/pools.js";
import { runScript } from "../helpers/run-script.js";

const traced = new URL("./fixtures/traced.mjs", import.meta.url);

interface WorkerSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  callId: string;
}

afterEach(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});
afterAll(() => closeWorkerPools());

describe("a worker call under tracing", () => {
  it("continues the caller's trace: the worker's spans hang under the worker call's span", async () => {
    const memory = new InMemorySpanExporter();
    new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).register();
    rt.configure({ store: null });
    // One thread, so that `finishedSpans` reads the exporter of the thread that ran `work`.
    const work = rt.workerNode<(n: number) => Promise<number>>(traced, "work", { threads: 1 });
    const finishedSpans = rt.workerNode<() => WorkerSpan[]>(traced, "finishedSpans", { threads: 1 });
    const session = new rt.Session({ name: "traced caller" });
    expect(await session.run(() => rt.call(work, 4))).toBe(17);

    const caller = session.tree.find("work")!;
    expect(caller.traceId).toMatch(/^[0-9a-f]{32}$/);
    const square = session.tree.find("square")!;
    expect(square.parentId).toBe(caller.id);
    // The grafted record is the worker's span: same trace, its own span id.
    expect(square.traceId).toBe(caller.traceId);

    const spans = await rt.call(finishedSpans);
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([caller.traceId]));
    const workerRoot = spans.find((span) => span.callId === "0")!;
    expect(workerRoot.parentSpanId).toBe(caller.spanId);
    const squareSpan = spans.find((span) => span.name.includes("square"))!;
    expect(squareSpan.spanId).toBe(square.spanId);
    // The caller's own spans: its session and the worker call; none of the worker's twice.
    const local = memory.getFinishedSpans().map((span) => span.spanContext().spanId);
    expect(local).toContain(caller.spanId);
    expect(local).not.toContain(square.spanId);
  });
});

describe("a script using worker nodes", () => {
  it("exits by itself when its work is done", async () => {
    const script = fileURLToPath(new URL("./fixtures/exits.mjs", import.meta.url));
    const { code, out, err, elapsedMs } = await runScript(script, { killAfterMs: 20_000 });
    expect(err).toBe("");
    expect(out.trim()).toBe("2,3,1");
    expect(code).toBe(0);
    // Idle threads keep nothing alive: no wait for the pool's 30 s idle timeout.
    expect(elapsedMs).toBeLessThan(15_000);
  });
});
