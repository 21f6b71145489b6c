import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import * as rt from "../index.js";

beforeEach(() => {
  rt.configure({ store: null });
});

/** A node that waits `ms` (cooperatively: it stops when its call is cancelled) and returns `out(input)`. */
function sleeper<T>(name: string, ms: number, out: (input: any) => T) {
  return rt.functionNode(
    async (input?: unknown) => {
      await sleep(ms, undefined, { signal: rt.signal() });
      return out(input);
    },
    { name },
  );
}

function duration(record: rt.CallRecord): number {
  return record.end! - record.start;
}

function recordOf(session: rt.Session, name: string): rt.CallRecord {
  const record = session.tree.find(name);
  if (record === undefined) throw new Error(`no record named ${name}`);
  return record;
}

/** Longest chain by the given durations, over `after` lists (a tiny reference, not the flow's code). */
function criticalPath(after: Record<string, string[]>, ms: Record<string, number>): number {
  const finish = (step: string): number => ms[step]! + Math.max(0, ...after[step]!.map(finish));
  return Math.max(...Object.keys(after).map(finish));
}

/** What an executor that waits for each whole level needs: the sum over levels of the slowest step. */
function levelByLevel(after: Record<string, string[]>, ms: Record<string, number>): number {
  const depth = (step: string): number => Math.max(-1, ...after[step]!.map(depth)) + 1;
  const slowest: number[] = [];
  for (const step of Object.keys(after)) {
    const d = depth(step);
    slowest[d] = Math.max(slowest[d] ?? 0, ms[step]!);
  }
  return slowest.reduce((a, b) => a + b, 0);
}

/**
 * Each step started once its dependencies had ended (roots: once the flow started) and waited for
 * nothing else: no other step ended between that moment and its start. This is what makes the
 * makespan the critical path, checked by order rather than by the clock (the bench measures it).
 */
function expectStartsWhenReady(session: rt.Session, flow: string, after: Record<string, string[]>): void {
  const flowStart = recordOf(session, flow).start;
  for (const [step, deps] of Object.entries(after)) {
    const record = recordOf(session, step);
    const ready = Math.max(flowStart, ...deps.map((dep) => recordOf(session, dep).end!));
    expect(record.start, step).toBeGreaterThanOrEqual(ready);
    for (const other of Object.keys(after)) {
      if (other === step || deps.includes(other)) continue;
      const end = recordOf(session, other).end!;
      expect(end > ready && end < record.start, `${step} waited for ${other}`).toBe(false);
    }
  }
}

describe("the DAG of 002: ingest, then stats, patterns and analysis, then report", () => {
  const latency = { ingest: 30, stats: 40, patterns: 60, analysis: 50, report: 20 };
  const after: Record<string, string[]> = {
    ingest: [],
    stats: ["ingest"],
    patterns: ["ingest"],
    analysis: ["ingest"],
    report: ["stats", "patterns", "analysis"],
  };
  const ingest = sleeper("ingest", latency.ingest, (data: string) => data.split(","));
  const stats = sleeper("stats", latency.stats, (rows: string[]) => ({ count: rows.length }));
  const patterns = sleeper("patterns", latency.patterns, (rows: string[]) => rows.filter((r) => r === "a"));
  const analysis = sleeper("analysis", latency.analysis, (rows: string[]) => rows.length > 2);
  const report = sleeper("report", latency.report, (parts: Record<string, unknown>) => parts);
  const steps = {
    ingest,
    stats: { node: stats, after: ["ingest"] },
    patterns: { node: patterns, after: ["ingest"] },
    analysis: { node: analysis, after: ["ingest"] },
    report: { node: report, after: ["stats", "patterns", "analysis"] },
  };

  it("runs in parallel: each step starts as soon as its dependencies end, and speedup is recorded", async () => {
    const pipeline = rt.flow("pipeline", steps, { returns: "report" });
    const session = new rt.Session({ name: "002-parallel" });
    const out = await session.run(() => pipeline("a,b,a,c"));
    expect(out).toEqual({ stats: { count: 4 }, patterns: ["a", "a"], analysis: true });

    const flowRecord = recordOf(session, "pipeline");
    expect(flowRecord.kind).toBe("flow");
    expect(flowRecord.children.map((c) => c.node).sort()).toEqual(Object.keys(after).sort());
    expect(flowRecord.children.map((c) => c.attributes["flow.step"]).sort()).toEqual(
      Object.keys(after).sort(),
    );
    const measured = Object.fromEntries(Object.keys(after).map((s) => [s, duration(recordOf(session, s))]));
    expectStartsWhenReady(session, "pipeline", after);
    // The three middle steps really overlapped.
    const middle = ["stats", "patterns", "analysis"].map((s) => recordOf(session, s));
    expect(Math.max(...middle.map((r) => r.start))).toBeLessThan(Math.min(...middle.map((r) => r.end!)));

    const attributes = flowRecord.attributes;
    expect(attributes["flow.criticalPath"]).toEqual(["ingest", "patterns", "report"]);
    expect(attributes["flow.speedup"]).toBeGreaterThan(1.5);
    const sumMs = attributes["flow.sumMs"] as number;
    const makespanMs = attributes["flow.makespanMs"] as number;
    expect(attributes["flow.speedup"]).toBeCloseTo(sumMs / makespanMs, 6);
    const recordedSum = Object.values(measured).reduce((a, b) => a + b, 0);
    expect(Math.abs(sumMs - recordedSum)).toBeLessThan(10);
    expect(attributes["flow.graph"]).toEqual({
      steps: Object.keys(after).map((name) => ({ name, node: name, exclude: false })),
      edges: Object.entries(after).flatMap(([to, from]) => from.map((f) => [f, to])),
    });
  });

  it("runs one step at a time with parallel: false, close to the sum of the latencies", async () => {
    const sequential = rt.flow("pipeline-sequential", steps, { parallel: false, returns: "report" });
    const session = new rt.Session({ name: "002-sequential" });
    await session.run(() => sequential("a,b"));
    const records = Object.keys(after).map((s) => recordOf(session, s));
    // Definition order, and never two at once.
    expect(records.map((r) => r.node)).toEqual(
      recordOf(session, "pipeline-sequential").children.map((c) => c.node),
    );
    for (let i = 1; i < records.length; i++)
      expect(records[i]!.start).toBeGreaterThanOrEqual(records[i - 1]!.end!);
    const sum = records.reduce((total, r) => total + duration(r), 0);
    const nominal = Object.values(latency).reduce((a, b) => a + b, 0);
    const makespan = duration(recordOf(session, "pipeline-sequential"));
    expect(makespan).toBeGreaterThanOrEqual(nominal);
    expect(makespan).toBeLessThanOrEqual(sum * 1.02 + 10);
    const speedup = recordOf(session, "pipeline-sequential").attributes["flow.speedup"] as number;
    expect(speedup).toBeGreaterThan(0.9);
    expect(speedup).toBeLessThanOrEqual(1 + 1e-9);
  });
});

describe("an unbalanced DAG", () => {
  const latency: Record<string, number> = { a1: 10, a2: 100, b1: 100, b2: 10, join: 5 };
  const after: Record<string, string[]> = { a1: [], a2: ["a1"], b1: [], b2: ["b1"], join: ["a2", "b2"] };
  const node = (name: string) => sleeper(`unbalanced.${name}`, latency[name]!, () => name);
  const unbalanced = rt.flow("unbalanced", {
    a1: node("a1"),
    a2: { node: node("a2"), after: ["a1"] },
    b1: node("b1"),
    b2: { node: node("b2"), after: ["b1"] },
    join: { node: node("join"), after: ["a2", "b2"] },
  });

  it("finishes at its critical path, below what a level-by-level executor needs", async () => {
    expect(unbalanced.levels()).toEqual([["a1", "b1"], ["a2", "b2"], ["join"]]);
    const session = new rt.Session({ name: "unbalanced" });
    await session.run(() => unbalanced());
    // Both figures from the same latencies: the ones each step actually took.
    const measured = Object.fromEntries(Object.keys(after).map((s) => [s, duration(recordOf(session, s))]));
    const critical = criticalPath(after, measured);
    const levels = levelByLevel(after, measured);
    expect(criticalPath(after, latency)).toBe(115);
    expect(levelByLevel(after, latency)).toBe(205);
    const makespan = duration(recordOf(session, "unbalanced"));
    expectStartsWhenReady(session, "unbalanced", after);
    expect(makespan).toBeLessThan(levels);
    expect(critical).toBeLessThan(levels);
    // a2 started as soon as a1 was done, long before b1 (the rest of its level) finished.
    expect(recordOf(session, "a2").start).toBeLessThan(recordOf(session, "b1").end!);
  });
});

describe("four independent sub-flows and a summary (001)", () => {
  const lookup = (name: string, value: unknown) => sleeper(`lookup.${name}`, 50, () => value);
  const pick = (name: string) =>
    rt.functionNode((found: unknown) => ({ [name]: found }), { name: `pick.${name}` });
  const sub = (name: string, value: unknown) =>
    rt.flow(
      `sub.${name}`,
      { fetch: lookup(name, value), shape: { node: pick(name), after: ["fetch"] } },
      { returns: "shape" },
    );
  const summarise = rt.functionNode(
    (parts: Record<string, Record<string, unknown>>) =>
      `Hi ${parts.user!.user}, it is ${parts.time!.time}; you bought ${parts.history!.history}; on sale: ${parts.sales!.sales}.`,
    { name: "summarise" },
  );
  const welcome = rt.flow(
    "welcome",
    {
      user: sub("user", "Ada"),
      time: sub("time", "noon"),
      history: sub("history", "a lamp"),
      sales: sub("sales", "bulbs"),
      message: { node: summarise, after: ["user", "time", "history", "sales"] },
    },
    { returns: "message" },
  );

  it("runs the four at once and hands all four outputs to the summary", async () => {
    const session = new rt.Session({ name: "welcome" });
    const message = await session.run(() => welcome("ada@example.com"));
    expect(message).toBe("Hi Ada, it is noon; you bought a lamp; on sale: bulbs.");
    const subs = ["user", "time", "history", "sales"].map((name) => recordOf(session, name));
    for (const record of subs) {
      expect(record.kind).toBe("flow");
      expect(record.children.map((c) => c.node)).toEqual(["fetch", "shape"]);
    }
    // Every interval overlaps every other: the latest start comes before the earliest end.
    expect(Math.max(...subs.map((r) => r.start))).toBeLessThan(Math.min(...subs.map((r) => r.end!)));
    expect(recordOf(session, "message").input).toEqual([
      {
        user: { user: "Ada" },
        time: { time: "noon" },
        history: { history: "a lamp" },
        sales: { sales: "bulbs" },
      },
    ]);
  });
});

describe("argument passing, results and scheduling", () => {
  const double = rt.functionNode((n: number) => n * 2, { name: "double" });
  const inc = rt.functionNode((n: number) => n + 1, { name: "inc" });
  const add = rt.functionNode((xs: { left: number; right: number }) => xs.left + xs.right, { name: "add" });
  const pair = rt.functionNode((a: number, b: number) => [a, b], { name: "pair" });

  it("gives roots the input, one dependency its output, several an object, and `args` what it maps", async () => {
    const math = rt.flow("math", {
      left: double,
      right: { node: inc, after: ["left"] },
      sum: { node: add, after: ["left", "right"] },
      both: { node: pair, after: ["sum"], args: ({ input, results }) => [results.sum, input], exclude: true },
    });
    const out = await rt.session("math", () => math(5));
    expect(out).toEqual({ left: 10, right: 11, sum: 21 });
    expectTypeOf(out).toEqualTypeOf<{ left: number; right: number; sum: number }>();

    const picked = rt.flow(
      "math-returns",
      { left: double, right: { node: inc, after: ["left"] } },
      { returns: "right" },
    );
    const value = await picked(1);
    expect(value).toBe(3);
    expectTypeOf(value).toEqualTypeOf<number>();
  });

  it("names each step's call after the step, under the flow's call", async () => {
    const twice = rt.flow("twice", { first: double, second: { node: double, after: ["first"] } });
    const session = new rt.Session({ name: "twice" });
    await session.run(() => rt.call(twice, 3));
    const flowRecord = recordOf(session, "twice");
    expect(flowRecord.children.map((c) => [c.node, c.input, c.output])).toEqual([
      ["first", [3], 6],
      ["second", [6], 12],
    ]);
    expect(session.tree.root.children).toEqual([flowRecord]);
  });

  it("nests a flow as a step of another flow", async () => {
    const inner = rt.flow("inner", { a: double, b: { node: inc, after: ["a"] } }, { returns: "b" });
    const outer = rt.flow("outer", {
      start: inc,
      nested: { node: inner, after: ["start"] },
      end: { node: double, after: ["nested"] },
    });
    const session = new rt.Session({ name: "nested" });
    expect(await session.run(() => outer(1))).toEqual({ start: 2, nested: 5, end: 10 });
    const nested = recordOf(session, "nested");
    expect(nested.kind).toBe("flow");
    expect(nested.parentId).toBe(recordOf(session, "outer").id);
    expect(nested.children.map((c) => c.node)).toEqual(["a", "b"]);
  });

  it("runs flows side by side with Promise.all, each in its own tree branch", async () => {
    const f = rt.flow("side", { a: double, b: { node: inc, after: ["a"] } }, { returns: "b" });
    const session = new rt.Session({ name: "side" });
    const outs = await session.run(() => Promise.all([1, 2, 3].map((n) => f(n))));
    expect(outs).toEqual([3, 5, 7]);
    for (const flowRecord of session.tree.findAll("side")) {
      const [a, b] = flowRecord.children;
      expect(b!.input).toEqual([a!.output]);
    }
  });

  it("with parallel: false takes ready steps in definition order", async () => {
    const order: string[] = [];
    const mark = (name: string) => rt.functionNode(() => void order.push(name), { name: `mark.${name}` });
    const f = rt.flow(
      "stable",
      { c: { node: mark("c"), after: ["a"] }, a: mark("a"), b: mark("b") },
      { parallel: false },
    );
    await rt.session("stable", () => f());
    expect(order).toEqual(["a", "c", "b"]);
  });

  it("keeps at most `concurrency` steps running", async () => {
    const steps = Object.fromEntries(
      ["p", "q", "r", "s", "t", "u"].map((n) => [n, sleeper(`conc.${n}`, 20, () => n)]),
    );
    const limited = rt.flow("limited", steps, { concurrency: 2 });
    const session = new rt.Session({ name: "limited" });
    await session.run(() => limited());
    const records = recordOf(session, "limited").children;
    const most = Math.max(
      ...records.map((r) => records.filter((o) => o.start <= r.start && o.end! > r.start).length),
    );
    expect(most).toBe(2);
  });

  it("reads back its steps, edges and levels", () => {
    const f = rt.flow("shape", {
      a: double,
      b: { node: inc, after: ["a"] },
      c: { node: add, after: ["a", "b"] },
    });
    expect(f.kind).toBe("flow");
    expect(rt.registry.get("shape")).toBe(f);
    expect(f.steps.map((s) => [s.name, s.node.name, s.after])).toEqual([
      ["a", "double", []],
      ["b", "inc", ["a"]],
      ["c", "add", ["a", "b"]],
    ]);
    expect(f.edges()).toEqual([
      ["a", "b"],
      ["a", "c"],
      ["b", "c"],
    ]);
    expect(f.levels()).toEqual([["a"], ["b"], ["c"]]);
    expect(f.flowOptions).toEqual({
      parallel: true,
      concurrency: undefined,
      onError: "fail-fast",
      returns: undefined,
      description: undefined,
      timeoutMs: undefined,
    });
  });
});
