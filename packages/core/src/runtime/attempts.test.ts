import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { collectUnhandledRejections } from "../../../../test/helpers/unhandled.js";
import * as rt from "../index.js";

const unhandled = collectUnhandledRejections();

beforeEach(() => {
  rt.configure({ store: null });
});

async function inSession<T>(fn: () => Promise<T>) {
  const session = new rt.Session({ name: "attempts" });
  const outcome = await session.run(fn).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { session, outcome };
}

describe("an attempt that timed out is over", () => {
  it("its late result does not win while the next attempt waits for its backoff", async () => {
    let runs = 0;
    const work = rt.functionNode(
      async () => {
        runs++;
        await sleep(60);
        return "late";
      },
      { name: "work", timeoutMs: 10, retry: 2 },
    );
    const { session, outcome } = await inSession(() => rt.call(work));

    expect(outcome.ok).toBe(false);
    expect(runs).toBe(2);
    const record = session.tree.find("work")!;
    expect(record.status).toBe("timeout");
    expect(record.attempts).toBe(2);
    expect(record.error?.name).toBe("RetryExhaustedError");
    expect(record.events?.filter((e) => e.name === "retry").map((e) => e.data)).toMatchObject([
      { attempt: 1, error: { name: "NodeTimeoutError" } },
    ]);
  });

  it("the same through rt.callWith", async () => {
    const work = rt.functionNode(
      async () => {
        await sleep(60);
        return "late";
      },
      { name: "work" },
    );
    const { session, outcome } = await inSession(() => rt.callWith({ timeoutMs: 10, retry: 2 }, work));
    expect(outcome.ok).toBe(false);
    expect(session.tree.find("work")).toMatchObject({ status: "timeout", attempts: 2 });
  });

  it("its late error does not count as another failed attempt", async () => {
    const failures: number[] = [];
    const work = rt.functionNode(
      async () => {
        const attempt = rt.current()!.attempt;
        await sleep(attempt === 1 ? 40 : 1);
        if (attempt === 1) throw new Error("late failure");
        return `attempt ${attempt}`;
      },
      { name: "work", timeoutMs: 10, retry: { attempts: 3, delayMs: 80 } },
    );
    const { session, outcome } = await inSession(() => rt.call(work).catch((e) => failures.push(1) && e));
    expect(outcome).toEqual({ ok: true, value: "attempt 2" });
    expect(failures).toEqual([]);
    expect(session.tree.find("work")).toMatchObject({ status: "ok", attempts: 2, output: "attempt 2" });
    expect(session.tree.find("work")!.events?.filter((e) => e.name === "retry")).toHaveLength(1);
  });
});

describe("a node that honours its signal", () => {
  it("runs exactly as many times as configured, with one retry event per failed attempt", async () => {
    let runs = 0;
    const cooperative = rt.functionNode(
      async () => {
        runs++;
        await sleep(1000, undefined, { signal: rt.signal() });
        return "never";
      },
      { name: "cooperative", timeoutMs: 10, retry: { attempts: 2, delayMs: 20 } },
    );
    const { session, outcome } = await inSession(() => rt.call(cooperative));
    await sleep(60);

    expect(outcome.ok).toBe(false);
    expect(runs).toBe(2);
    const record = session.tree.find("cooperative")!;
    expect(record).toMatchObject({ status: "timeout", attempts: 2 });
    const retries = record.events?.filter((e) => e.name === "retry").map((e) => e.data);
    expect(retries).toMatchObject([{ attempt: 1, error: { name: "NodeTimeoutError" } }]);
    expect(unhandled).toEqual([]);
  });
});

describe("every thrown value is recorded", () => {
  it.each([
    ["undefined", undefined, "undefined"],
    ["null", null, "null"],
    ["0", 0, "0"],
    ["an empty string", "", ""],
  ])("throw %s: status error with a NonError", async (_label, thrown, message) => {
    const fails = rt.functionNode(
      () => {
        throw thrown;
      },
      { name: "fails" },
    );
    const { session, outcome } = await inSession(() => rt.call(fails));
    expect(outcome).toEqual({ ok: false, error: thrown });
    expect(session.tree.find("fails")).toMatchObject({
      status: "error",
      error: { name: "NonError", message },
    });
    expect(session.tree.root).toMatchObject({ status: "error", error: { name: "NonError", message } });
  });

  it("a rejection with undefined, too", async () => {
    const rejects = rt.functionNode(() => Promise.reject(undefined), { name: "rejects" });
    const { session } = await inSession(() => rt.call(rejects));
    expect(session.tree.find("rejects")!.error).toEqual({ name: "NonError", message: "undefined" });
  });
});

/** One random attempt: how long it takes, how it ends, whether it stops when its signal aborts. */
interface AttemptPlan {
  ms: number;
  fails: boolean;
  honoursSignal: boolean;
}

const plans = fc.record({
  timeoutMs: fc.option(fc.integer({ min: 5, max: 30 }), { nil: undefined }),
  attempts: fc.integer({ min: 1, max: 4 }),
  delayMs: fc.integer({ min: 0, max: 25 }),
  viaCallWith: fc.boolean(),
  steps: fc.array(
    fc.record({ ms: fc.integer({ min: 0, max: 50 }), fails: fc.boolean(), honoursSignal: fc.boolean() }),
    { minLength: 4, maxLength: 4 },
  ),
});

describe("timeouts and retries, property", () => {
  it("runs at most `attempts` times; the outcome is the last attempt that finished in time; the record agrees", async () => {
    await fc.assert(
      fc.asyncProperty(plans, async ({ timeoutMs, attempts, delayMs, viaCallWith, steps }) => {
        /** What each attempt really did: "ok" / "error" in time, or "late" when it ended after its timeout. */
        const ran: { attempt: number; finished?: "ok" | "error"; timedOut?: boolean }[] = [];
        const retry = { attempts, delayMs, backoff: "fixed" as const };
        const node = rt.functionNode(
          async () => {
            const attempt = rt.current()!.attempt;
            const plan: AttemptPlan = steps[attempt - 1]!;
            const entry: (typeof ran)[number] = { attempt };
            ran.push(entry);
            const signal = rt.signal();
            await sleep(plan.ms, undefined, plan.honoursSignal ? { signal } : undefined).catch(() => {
              entry.finished = "error";
              entry.timedOut = signal.aborted;
              throw new Error(`aborted ${attempt}`);
            });
            // The attempt's signal aborts when its timeout fires: finishing after that is too late.
            entry.timedOut = signal.aborted;
            entry.finished = plan.fails ? "error" : "ok";
            if (plan.fails) throw new Error(`failed ${attempt}`);
            return `value ${attempt}`;
          },
          viaCallWith ? { name: "prop" } : { name: "prop", timeoutMs, retry },
        );
        const { session, outcome } = await inSession(() =>
          viaCallWith ? rt.callWith({ timeoutMs, retry }, node) : rt.call(node),
        );
        // Let abandoned attempts finish, so a late settlement would show.
        await sleep(60);

        const record = session.tree.find("prop")!;
        expect(ran.length).toBeLessThanOrEqual(attempts);
        expect(record.attempts).toBe(ran.length);
        const retries = (record.events ?? []).filter((e) => e.name === "retry");
        expect(retries.map((e) => (e.data as { attempt: number }).attempt)).toEqual(
          ran.slice(0, -1).map((r) => r.attempt),
        );
        const last = ran[ran.length - 1]!;
        if (outcome.ok) {
          // Only the last attempt can succeed, and only in time.
          expect(outcome.value).toBe(`value ${last.attempt}`);
          expect(last).toMatchObject({ finished: "ok", timedOut: false });
          expect(record).toMatchObject({ status: "ok", output: outcome.value });
        } else {
          const error = outcome.error as Error & { errors?: unknown[] };
          const errors = ran.length > 1 ? error.errors : [error];
          expect(errors).toHaveLength(ran.length);
          // The call's error is the last attempt's: its timeout, or what it threw in time.
          const lastError = errors![errors!.length - 1] as Error;
          if (record.status === "timeout") expect(lastError).toBeInstanceOf(rt.NodeTimeoutError);
          else {
            expect(record.status).toBe("error");
            expect(last).toMatchObject({ finished: "error", timedOut: false });
            expect(lastError.message).toBe(`failed ${last.attempt}`);
          }
        }
      }),
      { numRuns: 40 },
    );
    expect(unhandled).toEqual([]);
  }, 60_000);
});
