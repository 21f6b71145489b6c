/**
 * `rt.all` over 10,000 trivial tasks with `concurrency: 100`, beside a plain hand-written limiter
 * doing the same in the same run.
 */
import * as rt from "@runtrace/core";
import { type BenchResult, median, withRatio } from "./lib.js";

const TASKS = 10_000;
const CONCURRENCY = 100;
const SAMPLES = 15;

async function trivial(i: number): Promise<number> {
  return i;
}

/** The smallest correct limiter: a shared cursor and `CONCURRENCY` workers pulling from it. */
async function handLimiter(tasks: Array<() => Promise<number>>, limit: number): Promise<number[]> {
  const results = new Array<number>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

async function nsPerTask(run: (tasks: Array<() => Promise<number>>) => Promise<number[]>): Promise<number> {
  const tasks = Array.from({ length: TASKS }, (_, i) => () => trivial(i));
  const start = process.hrtime.bigint();
  const results = await run(tasks);
  const elapsed = Number(process.hrtime.bigint() - start);
  if (results.length !== TASKS || results[TASKS - 1] !== TASKS - 1) throw new Error("lost results");
  return elapsed / TASKS;
}

export default async function bench(): Promise<BenchResult> {
  const hand: number[] = [];
  const all: number[] = [];
  const settled: number[] = [];
  // Interleaved, first round as warm-up; run inside a session as a user would.
  await rt.session({ name: "bench-parallel", store: null }, async () => {
    for (let round = 0; round <= SAMPLES; round++) {
      const h = await nsPerTask((tasks) => handLimiter(tasks, CONCURRENCY));
      const a = await nsPerTask((tasks) => rt.all(tasks, { concurrency: CONCURRENCY }));
      const s = await nsPerTask(async (tasks) =>
        (await rt.all(tasks, { concurrency: CONCURRENCY, settle: true })).map((r) => (r.ok ? r.value : -1)),
      );
      if (round === 0) continue;
      hand.push(h);
      all.push(a);
      settled.push(s);
    }
  });
  const baseline = median(hand);
  return {
    title: `parallel: ${TASKS.toLocaleString("en-US")} trivial tasks, concurrency ${CONCURRENCY}`,
    rows: [
      withRatio(
        { name: "hand-written limiter (workers + shared cursor)", value: baseline, unit: "ns/task" },
        baseline,
      ),
      withRatio({ name: "rt.all", value: median(all), unit: "ns/task" }, baseline, 1.5, "≤ 1.5x"),
      withRatio({ name: "rt.all, settle: true", value: median(settled), unit: "ns/task" }, baseline),
    ],
    notes: [
      `${SAMPLES} interleaved samples per variant, median; every task is an async function returning its index.`,
    ],
  };
}
