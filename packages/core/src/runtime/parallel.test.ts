import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";

beforeEach(() => {
  rt.configure({ store: null });
});

describe("the four-language scenario with rt.asCompleted", () => {
  const LATENCY: Record<string, number> = { english: 80, french: 20, danish: 140, italian: 50 };
  let attemptsSeen = 0;
  const answer = rt.functionNode(
    async (language: string, question: string) => {
      await sleep(LATENCY[language], undefined, { signal: rt.signal() });
      if (language === "danish") throw new Error("the Danish model is down");
      return `${language}: ${question}`;
    },
    { name: "answer", kind: "llm" },
  );
  const flaky = rt.functionNode(
    async (question: string) => {
      attemptsSeen++;
      if (rt.current()!.attempt < 3) throw new Error(`rate limited (attempt ${rt.current()!.attempt})`);
      return `italian: ${question}`;
    },
    { name: "flakyItalian", retry: { attempts: 3, delayMs: 10 } },
  );

  it("delivers results in completion order, errors as values, the others untouched", async () => {
    const languages = Object.keys(LATENCY);
    const arrived: Array<{ index: number; ok: boolean; text: string }> = [];
    const session = new rt.Session({ name: "four" });
    await session.run(async () => {
      const tasks = languages.map((language) => () => rt.call(answer, language, "What is MLOps?"));
      for await (const result of rt.asCompleted(tasks)) {
        arrived.push({
          index: result.index,
          ok: result.ok,
          text: result.ok ? result.value : (result.error as Error).message,
        });
      }
    });
    expect(arrived.map((r) => languages[r.index])).toEqual(["french", "italian", "english", "danish"]);
    expect(arrived[3]).toEqual({ index: 2, ok: false, text: "the Danish model is down" });
    expect(arrived.slice(0, 3).every((r) => r.ok && r.text.endsWith("What is MLOps?"))).toBe(true);
    const statuses = Object.fromEntries(
      session.tree.findAll("answer").map((r) => [(r.input as string[])[0], r.status]),
    );
    expect(statuses).toEqual({ english: "ok", french: "ok", danish: "error", italian: "ok" });
  });

  it("a task that fails twice with retry: 3 succeeds; its record shows 3 attempts and 2 retry events", async () => {
    attemptsSeen = 0;
    const session = new rt.Session({ name: "retry" });
    const out = await session.run(() => rt.call(flaky, "q"));
    expect(out).toBe("italian: q");
    expect(attemptsSeen).toBe(3);
    const record = session.tree.find("flakyItalian")!;
    expect(record.status).toBe("ok");
    expect(record.attempts).toBe(3);
    const retries = record.events.filter((e) => e.name === "retry");
    expect(retries).toHaveLength(2);
    expect(retries[0]!.data).toMatchObject({
      attempt: 1,
      delayMs: 10,
      error: { message: "rate limited (attempt 1)" },
    });
    expect(retries[1]!.data).toMatchObject({
      attempt: 2,
      delayMs: 20,
      error: { message: "rate limited (attempt 2)" },
    });
  });

  it("gives up with RetryExhaustedError holding every attempt's error", async () => {
    const never = rt.functionNode(
      async () => {
        throw new Error(`nope ${rt.current()!.attempt}`);
      },
      { name: "never", retry: { attempts: 3, delayMs: 1, backoff: "fixed" } },
    );
    const session = new rt.Session();
    const error = (await session
      .run(() => rt.call(never))
      .catch((e: unknown) => e)) as rt.RetryExhaustedError;
    expect(error).toBeInstanceOf(rt.RetryExhaustedError);
    expect(error.errors.map((e) => (e as Error).message)).toEqual(["nope 1", "nope 2", "nope 3"]);
    expect(error.message).toBe('Node "never" failed 3 attempts; last error: nope 3');
    expect(session.tree.find("never")).toMatchObject({ status: "error", attempts: 3 });
  });

  it("does not retry validation errors or cancellations", async () => {
    let runs = 0;
    const picky = rt.functionNode(
      () => {
        runs++;
        throw new rt.ValidationError("picky", "x", "bad", []);
      },
      { name: "picky", retry: 5 },
    );
    await expect(rt.call(picky)).rejects.toBeInstanceOf(rt.ValidationError);
    expect(runs).toBe(1);
  });
});

describe("concurrency limits", () => {
  it("rt.map over 100 items with concurrency 5 never runs more than 5 and takes about 20 rounds", async () => {
    let running = 0;
    let peak = 0;
    const work = rt.functionNode(
      async (n: number) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(20);
        running--;
        return n * n;
      },
      { name: "square" },
    );
    const started = performance.now();
    const out = await rt.session("map", () =>
      rt.map(
        work,
        Array.from({ length: 100 }, (_, i) => i),
        { concurrency: 5 },
      ),
    );
    const elapsed = performance.now() - started;
    expect(out).toEqual(Array.from({ length: 100 }, (_, i) => i * i));
    expect(peak).toBe(5);
    // 20 rounds of 20 ms: at least 400 ms; well under 100 rounds' worth.
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(2000);
  });

  it("a node with concurrency 2 called from 3 concurrent sessions never runs more than 2 at once", async () => {
    let running = 0;
    let peak = 0;
    const gated = rt.functionNode(
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(15);
        running--;
      },
      { name: "gated", concurrency: 2 },
    );
    const sessions = [0, 1, 2].map((i) => new rt.Session({ name: `g${i}` }));
    await Promise.all(sessions.map((s) => s.run(() => Promise.all([0, 1, 2, 3].map(() => rt.call(gated))))));
    expect(peak).toBe(2);
    const waits = sessions.flatMap((s) => s.tree.findAll("gated").map((r) => r.waitMs ?? 0));
    expect(waits).toHaveLength(12);
    expect(waits.filter((w) => w > 5).length).toBeGreaterThanOrEqual(6);
  });

  it("work waiting for a slot keeps its own async context", async () => {
    const whoAmI = rt.functionNode(
      async (expected: number) => {
        await sleep(Math.random() * 5);
        return [expected, rt.context.get("session")];
      },
      { name: "whoAmI", concurrency: 3 },
    );
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        rt.session(`ctx${i}`, async () => {
          rt.context.set("session", i);
          const viaAll = await rt.all(
            [0, 1, 2, 3].map(() => () => rt.call(whoAmI, i)),
            { concurrency: 2 },
          );
          return viaAll.every(([expected, seen]) => expected === seen && seen === i);
        }),
      ),
    );
    expect(results.every(Boolean)).toBe(true);
  });

  it("rt.all keeps input order, rejects on the first error, and settles on request", async () => {
    const tasks = [30, 10, 20].map((ms, i) => async () => {
      await sleep(ms);
      if (i === 2) throw new Error("third failed");
      return i;
    });
    await expect(rt.all(tasks)).rejects.toThrow("third failed");
    expect(await rt.all(tasks, { settle: true })).toEqual([
      { ok: true, value: 0 },
      { ok: true, value: 1 },
      { ok: false, error: new Error("third failed") },
    ]);
    expect(await rt.all([() => 1, () => Promise.resolve(2)])).toEqual([1, 2]);
    expect(await rt.all([])).toEqual([]);
  });
});

describe("bad options are rejected when given, naming the value and what is expected", () => {
  const noop = rt.functionNode(() => undefined, { name: "noop" });
  it.each([
    [0, "got 0 (number)"],
    [-1, "got -1 (number)"],
    [Number.NaN, "got NaN (number)"],
    [1.5, "got 1.5 (number)"],
  ])("concurrency %s", (value, got) => {
    const expected = `expected \`concurrency\` to be a positive integer (how many runs at once), ${got}`;
    expect(() => rt.functionNode(() => 1, { concurrency: value })).toThrow(expected);
    expect(() => rt.all([], { concurrency: value })).toThrow(got);
    expect(() => rt.map(noop, [], { concurrency: value })).toThrow(got);
    expect(() => rt.asCompleted([], { concurrency: value })).toThrow(got);
  });

  it("retry: 0 and a negative timeoutMs", async () => {
    expect(() => rt.functionNode(() => 1, { retry: 0 })).toThrow(
      "expected `retry` to be a positive integer (the number of attempts; 1 means no retry), got 0 (number)",
    );
    expect(() => rt.functionNode(() => 1, { timeoutMs: -5 })).toThrow(
      "expected `timeoutMs` to be a positive number of milliseconds, got -5 (number)",
    );
    expect(() => rt.functionNode(() => 1, { retry: { attempts: 2, backoff: "random" as any } })).toThrow(
      'expected `retry.backoff` to be one of "exponential", "linear", "fixed", got "random" (string)',
    );
    await expect(rt.callWith({ timeoutMs: Number.NaN }, noop)).rejects.toThrow("got NaN (number)");
    expect(() => new rt.Session({ timeoutMs: 0 })).toThrow("expected `timeoutMs` to be a positive number");
  });

  it("tasks must be functions, so that concurrency can apply", () => {
    expect(() => rt.all([Promise.resolve(1)] as any)).toThrow(
      "rt.all expected every task to be a function that starts the work, such as () => rt.call(node, x); got a Promise object at index 0",
    );
    expect(() => rt.map((() => 1) as any, [1])).toThrow(rt.NotANodeError);
  });
});
