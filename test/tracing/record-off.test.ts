import * as rt from "@runtrace/core";
import { afterEach, describe, expect, it } from "vitest";
import { receiver, tracing, useTracingTestHooks } from "./helpers.js";

useTracingTestHooks();
afterEach(() => {
  rt.configure({ record: true });
});

describe("tracing with recording off", () => {
  it("still exports a span per call, nested, with errors and events", async () => {
    rt.configure({ record: false });
    const jaegerLike = await receiver();
    const setup = tracing({ serviceName: "no-records", endpoint: jaegerLike.url });
    const leaf = rt.functionNode(
      (n: number) => {
        rt.event("seen", { n });
        if (n === 2) throw new Error("two is bad");
        return n;
      },
      { name: "leaf" },
    );
    const top = rt.functionNode(() => Promise.allSettled([1, 2].map((n) => rt.call(leaf, n))), {
      name: "top",
    });
    const session = new rt.Session({ name: "unrecorded" });
    await session.run(() => rt.call(top));
    expect(session.tree.size).toBe(0); // nothing recorded
    await setup.flush();
    const spans = await jaegerLike.waitForSpans(4);
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const [topSpan] = byName("top");
    expect(byName("leaf").every((s) => s.parentSpanId === topSpan!.spanId)).toBe(true);
    const failed = byName("leaf").find((s) => s.status.code === 2)!;
    expect(failed.status.message).toContain("two is bad");
    expect(failed.events.map((e) => e.name)).toEqual(expect.arrayContaining(["seen", "exception"]));
  });
});
