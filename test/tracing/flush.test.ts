import * as rt from "@runtrace/core";
import { describe, expect, it } from "vitest";
import { receiver, tracing, useTracingTestHooks } from "./helpers.js";

useTracingTestHooks();

describe("rt.flush()", () => {
  it("also sends the spans waiting in the setupTracing exporter", async () => {
    const jaegerLike = await receiver();
    tracing({ serviceName: "flush", endpoint: jaegerLike.url });
    const step = rt.functionNode((n: number) => n * 2, { name: "step" });
    await rt.session("flushed", () => Promise.all([1, 2, 3].map((n) => rt.call(step, n))));
    expect(jaegerLike.spans).toHaveLength(0); // still in the batch processor's queue
    await rt.flush();
    expect(jaegerLike.spans.map((s) => s.name).sort()).toEqual(["flushed", "step", "step", "step"]);
  });
});

describe("setupTracing's flush()", () => {
  it("resolves only once a batch the processor sent on its own has been received", async () => {
    // The first export request (a full batch, sent as soon as it filled) is held back 600 ms by the
    // backend; the rest of the spans go out with the flush and are answered at once.
    const slow = await receiver({ delayMs: (request) => (request === 0 ? 600 : 0) });
    const setup = tracing({ serviceName: "flush", endpoint: slow.url, batch: { maxExportBatchSize: 10 } });
    const step = rt.functionNode((n: number) => n * 2, { name: "step" });
    await rt.session("burst", () => Promise.all(Array.from({ length: 25 }, (_, n) => rt.call(step, n))));
    // The full batch reaches the backend, which holds it; the rest waits in the processor's queue.
    while (slow.requestLog.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(slow.spans).toHaveLength(0);
    await setup.flush();
    expect(slow.spans).toHaveLength(26);
    expect(slow.spans.filter((span) => span.name === "step")).toHaveLength(25);
  });
});
