import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";

beforeEach(() => {
  rt.configure({ store: null });
});

const boom = new Error("source unreachable");
const finished: string[] = [];

function step(name: string, ms: number, fail = false) {
  return rt.functionNode(
    async (input?: unknown) => {
      await sleep(ms, undefined, { signal: rt.signal() });
      if (fail) throw boom;
      finished.push(name);
      return `${name}(${JSON.stringify(input ?? null)})`;
    },
    { name },
  );
}

function statusByStep(session: rt.Session, flowName: string): Record<string, string> {
  const flowRecord = session.tree.find(flowName)!;
  return Object.fromEntries(flowRecord.children.map((c) => [c.node, c.status]));
}

describe('onError: "continue"', () => {
  const research = (name: string) =>
    rt.flow(
      name,
      {
        plan: step("plan", 5),
        search: { node: step("search", 10, true), after: ["plan"] },
        read: { node: step("read", 5), after: ["search"] },
        cite: { node: step("cite", 5), after: ["read"] },
        outline: { node: step("outline", 30), after: ["plan"] },
        polish: { node: step("polish", 5), after: ["outline"] },
        final: { node: step("final", 5), after: ["cite", "polish"] },
      },
      { onError: "continue" },
    );

  it("skips what is downstream of the failure, runs the rest, and rejects with every output and error", async () => {
    finished.length = 0;
    const session = new rt.Session({ name: "continue" });
    const error = await session.run(() => research("research")("topic")).catch((e: unknown) => e);
    expect(statusByStep(session, "research")).toEqual({
      plan: "ok",
      search: "error",
      read: "skipped",
      cite: "skipped",
      final: "skipped",
      outline: "ok",
      polish: "ok",
    });
    expect(finished).toEqual(["plan", "outline", "polish"]);
    expect(rt.isFlowStepsFailedError(error)).toBe(true);
    const failure = error as rt.FlowStepsFailedError;
    expect(failure.errors).toEqual({ search: boom });
    expect(failure.errors.search).toBe(boom);
    expect(failure.failed).toEqual(["search"]);
    expect(failure.skipped).toEqual(["read", "cite", "final"]);
    expect(failure.results).toEqual({
      plan: 'plan("topic")',
      outline: 'outline("plan(\\"topic\\")")',
      polish: 'polish("outline(\\"plan(\\\\\\"topic\\\\\\")\\")")',
    });
    expect(failure.message).toContain(
      'Flow "research": 1 step failed ("search": source unreachable). 3 steps downstream skipped (read, cite, final).',
    );
    const flowRecord = session.tree.find("research")!;
    expect(flowRecord.status).toBe("error");
    expect(flowRecord.error?.name).toBe("FlowStepsFailedError");
    const skipped = session.tree.find("read")!;
    expect(skipped.events.map((e) => [e.name, e.data])).toEqual([
      ["skipped", { reason: 'step "search" failed upstream (onError: "continue")' }],
    ]);
    expect(flowRecord.attributes["flow.criticalPath"]).toEqual(["plan", "outline", "polish"]);
  });
});

describe('onError: "fail-fast" (the default)', () => {
  it("cancels the running siblings and rejects with the first error, unchanged", async () => {
    finished.length = 0;
    const fast = rt.flow("fast", {
      plan: step("ff.plan", 5),
      broken: { node: step("broken", 10, true), after: ["plan"] },
      slow: { node: step("slow", 300), after: ["plan"] },
      slower: { node: step("slower", 400), after: ["plan"] },
      after: { node: step("ff.after", 5), after: ["slow"] },
    });
    const session = new rt.Session({ name: "fail-fast" });
    const started = performance.now();
    const error = await session.run(() => fast("x")).catch((e: unknown) => e);
    expect(error).toBe(boom);
    // Settled before the slow sibling would have finished on its own.
    expect(performance.now() - started).toBeLessThan(300);
    expect(statusByStep(session, "fast")).toEqual({
      plan: "ok",
      broken: "error",
      slow: "cancelled",
      slower: "cancelled",
    });
    const slow = session.tree.find("slow")!;
    expect(slow.error?.name).toBe("CancelledError");
    expect(slow.error?.message).toContain('step "broken" failed, so its running siblings were cancelled');
    expect(session.tree.find("fast")!.status).toBe("error");
    // The cancelled steps stopped: they never reach their end, even after their sleep would be over.
    await sleep(450);
    expect(finished).toEqual(["ff.plan"]);
  });

  it("passes on even an error that is not an Error", async () => {
    const odd = rt.functionNode(
      () => {
        throw undefined;
      },
      { name: "ff.odd" },
    );
    const f = rt.flow("ff.undefined", { first: step("ff.first", 1), odd: { node: odd, after: ["first"] } });
    const session = new rt.Session({ name: "odd" });
    const outcome = await session
      .run(() => f())
      .then(
        () => "resolved",
        (error: unknown) => ["rejected", error],
      );
    expect(outcome).toEqual(["rejected", undefined]);
  });

  it("cancels a nested flow's running steps too", async () => {
    const inner = rt.flow("ff.inner", { wait: step("ff.inner.wait", 300) });
    const outer = rt.flow("ff.outer", { inner, broken: step("ff.broken", 10, true) });
    const session = new rt.Session({ name: "nested-fail-fast" });
    await expect(session.run(() => outer())).rejects.toBe(boom);
    expect(session.tree.find("inner")!.status).toBe("cancelled");
    expect(session.tree.find("wait")!.status).toBe("cancelled");
  });
});

describe("a flow's own timeout and cancellation", () => {
  it("times out as a whole: running steps end cancelled, later ones never start", async () => {
    finished.length = 0;
    const timed = rt.flow(
      "timed",
      {
        first: step("t.first", 5),
        long: { node: step("t.long", 300), after: ["first"] },
        last: { node: step("t.last", 5), after: ["long"] },
      },
      { timeoutMs: 50, onError: "continue" },
    );
    const session = new rt.Session({ name: "timed" });
    const error = await session.run(() => timed()).catch((e: unknown) => e);
    expect(rt.isTimeoutError(error)).toBe(true);
    const flowRecord = session.tree.find("timed")!;
    expect(flowRecord.status).toBe("timeout");
    expect(statusByStep(session, "timed")).toEqual({ first: "ok", long: "cancelled" });
    await sleep(20);
    // Nothing was added to the flow's record after it ended.
    expect(flowRecord.children).toHaveLength(2);
    expect(flowRecord.attributes["flow.makespanMs"]).toBeUndefined();
    expect(flowRecord.attributes["flow.graph"]).toBeDefined();
  });
});
