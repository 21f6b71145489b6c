/**
 * Flows: does the scheduler finish a random DAG at its critical path, and what does it cost per step?
 *
 * 1. Random DAGs of 100 steps, each sleeping 1–20 ms (seeded): the flow's makespan (its call's
 *    duration) over its critical path (the longest dependency chain by the steps' actual durations,
 *    as the flow records it). 1.00 is a perfect schedule; a level-by-level executor is shown for
 *    comparison, computed from the same durations.
 * 2. Scheduler overhead: a flow of 100 no-op steps in a chain against 100 `rt.call`s of the same
 *    node one after another, both in the same run.
 */
import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";
import { type BenchResult, gc, median, medianOf, withRatio } from "./lib.js";

const STEPS = 100;

/** mulberry32: a small seeded PRNG, so every run draws the same DAGs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pause = rt.functionNode((ms: number) => sleep(ms, undefined, { signal: rt.signal() }), {
  name: "bench.flows.sleep",
});
const noop = rt.functionNode((x: unknown) => x, { name: "bench.flows.noop" });

/** A random DAG: each step waits for 0–3 earlier steps, mostly recent ones, so chains grow deep. */
function randomFlow(seed: number) {
  const random = prng(seed);
  const steps: Record<string, rt.FlowStep> = {};
  const after: number[][] = [];
  for (let i = 0; i < STEPS; i++) {
    const ms = 1 + Math.floor(random() * 20);
    const deps = new Set<number>();
    const wanted = i === 0 ? 0 : Math.floor(random() * 4);
    for (let k = 0; k < wanted; k++) deps.add(Math.max(0, i - 1 - Math.floor(random() * random() * i)));
    after.push([...deps]);
    steps[`s${i}`] = { node: pause, after: [...deps].map((d) => `s${d}`), args: () => [ms] };
  }
  return { flow: rt.flow(`bench.flows.random.${seed}`, steps), after };
}

/** What an executor that waits for each whole level would need, from the same step durations. */
function levelByLevel(after: number[][], durations: number[]): number {
  const depth: number[] = [];
  const slowest: number[] = [];
  after.forEach((deps, i) => {
    depth[i] = Math.max(-1, ...deps.map((d) => depth[d]!)) + 1;
    slowest[depth[i]!] = Math.max(slowest[depth[i]!] ?? 0, durations[i]!);
  });
  return slowest.reduce((a, b) => a + b, 0);
}

async function scheduleQuality(samples: number) {
  const ratios: number[] = [];
  const levelRatios: number[] = [];
  const speedups: number[] = [];
  for (let seed = 1; seed <= samples; seed++) {
    const { flow, after } = randomFlow(seed);
    const session = new rt.Session({ name: "bench.flows.random" });
    await session.run(() => flow());
    const record = session.tree.find(flow.name)!;
    const durations = after.map((_, i) => {
      const step = session.tree.find(`s${i}`)!;
      return step.end! - step.start;
    });
    const critical = record.attributes["flow.criticalPathMs"] as number;
    ratios.push((record.end! - record.start) / critical);
    levelRatios.push(levelByLevel(after, durations) / critical);
    speedups.push(record.attributes["flow.speedup"] as number);
  }
  return { ratio: median(ratios), levels: median(levelRatios), speedup: median(speedups) };
}

const chainSteps: Record<string, rt.FlowStep> = { s0: noop };
for (let i = 1; i < STEPS; i++) chainSteps[`s${i}`] = { node: noop, after: [`s${i - 1}`] };
const chain = rt.flow("bench.flows.chain", chainSteps, { returns: `s${STEPS - 1}` });

/** Microseconds per step: `rounds` sessions of 100 steps each, one after another. */
async function perStep(rounds: number, run: () => Promise<unknown>): Promise<number> {
  gc();
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) await rt.session("bench.flows.overhead", run);
  return Number(process.hrtime.bigint() - start) / 1000 / (rounds * STEPS);
}

export default async function flowsBench(): Promise<BenchResult> {
  rt.configure({ store: null });
  const quality = await scheduleQuality(9);
  const rounds = 100;
  const calls = await medianOf(7, () =>
    perStep(rounds, async () => {
      let x: unknown = 0;
      for (let i = 0; i < STEPS; i++) x = await rt.call(noop, x);
    }),
  );
  const flowSteps = await medianOf(7, () => perStep(rounds, () => chain(0)));
  return {
    title: "flows: 100-step random DAGs (sleeps 1–20 ms, 9 seeds) and scheduler overhead",
    rows: [
      withRatio({ name: "makespan / critical path", value: quality.ratio, unit: "x" }, 1, 1.05, "≤ 1.05"),
      { name: "level-by-level executor, same durations", value: quality.levels, unit: "x" },
      { name: "speedup (sum of steps / makespan)", value: quality.speedup, unit: "x" },
      { name: "100 rt.call in sequence, per call", value: calls, unit: "µs" },
      withRatio({ name: "flow of 100 chained no-op steps, per step", value: flowSteps, unit: "µs" }, calls),
    ],
    notes: [
      "critical path = the longest dependency chain by the steps' recorded durations (flow.criticalPathMs)",
      "ratio of the last row: per-step cost of a flow over a plain rt.call, measured in this same run",
    ],
  };
}
