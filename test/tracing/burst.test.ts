import * as rt from "@runtrace/core";
import { describe, expect, it } from "vitest";
import { receiver, tracing, useTracingTestHooks, warnings } from "./helpers.js";

useTracingTestHooks();

const WORKERS = 100;
const SEQUENTIAL = 1000;
const CALLS = WORKERS * SEQUENTIAL;

describe("a burst of 100,000 calls", () => {
  it("reaches the receiver whole: every call span, none dropped, flush and shutdown resolve", async () => {
    const jaegerLike = await receiver();
    const setup = tracing({ serviceName: "burst", endpoint: jaegerLike.url });
    const tick = rt.functionNode(async (n: number) => n + 1, { name: "tick" });
    const session = new rt.Session({ name: "burst", store: null });
    const total = await session.run(async () => {
      const workers = Array.from({ length: WORKERS }, async () => {
        let n = 0;
        for (let i = 0; i < SEQUENTIAL; i++) n = await rt.call(tick, n);
        return n;
      });
      return (await Promise.all(workers)).reduce((a, b) => a + b, 0);
    });
    expect(total).toBe(CALLS);
    await expect(setup.flush()).resolves.toBeUndefined();
    const received = await jaegerLike.waitForSpans(CALLS + 1, 60_000);
    await expect(setup.shutdown()).resolves.toBeUndefined();

    expect(received).toHaveLength(CALLS + 1);
    expect(received.filter((s) => s.name === "tick")).toHaveLength(CALLS);
    expect(new Set(received.map((s) => s.spanId)).size).toBe(CALLS + 1);
    expect(new Set(received.map((s) => s.traceId)).size).toBe(1);
    expect(jaegerLike.requestLog.every((r) => r.status === 200)).toBe(true);
    expect(warnings).toEqual([]);
  }, 120_000);
});
