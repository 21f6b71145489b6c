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
