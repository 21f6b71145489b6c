/**
 * `rt.workerNode`: what worker threads buy for CPU-bound nodes, and what a worker call costs.
 * 1) `rt.map` of CPU-bound nodes run in-process, then as a worker node on 1, 2 (and N) threads:
 *    the wall-time speed-up per thread count. 2) One call at a time of a small CPU-bound function:
 *    `rt.call` of a worker node against a bare piscina `run()` of the same function on the same
 *    number of threads (the pool library without runtrace).
 */
import { availableParallelism } from "node:os";
import * as rt from "@runtrace/core";
import { Piscina } from "piscina";
import { type BenchResult, median, nsPerOp, type Row, withRatio } from "./lib.js";
import { burn, burnNode } from "./workers/cpu-work.js";

const WORK = new URL("./workers/cpu-work.js", import.meta.url);
/** About 10 ms of hashing on this machine's cores: work worth a thread. */
const HEAVY_ROUNDS = 6_000_000;
const ITEMS = 16;
const MAP_SAMPLES = 5;
/** About 0.5 ms: a small piece of work, where the cost of a call shows. */
const SMALL_ROUNDS = 300_000;
const CALLS = 200;
const CALL_SAMPLES = 11;
const WARM_UP_CALLS = 3_000;

async function msOfMap(node: rt.Node<[number], unknown>): Promise<number> {
  const items = Array.from({ length: ITEMS }, () => HEAVY_ROUNDS);
  const start = performance.now();
  await rt.session({ name: "bench-workers", store: null }, () => rt.map(node, items));
  return performance.now() - start;
}

async function speedUps(): Promise<Row[]> {
  const counts = [...new Set([1, 2, availableParallelism()])].sort((a, b) => a - b);
  const nodes = counts.map((threads) => rt.workerNode(WORK, "burnNode", { threads }));
  // Warm every pool (threads started, module loaded) before timing.
  for (const node of nodes) await rt.session({ store: null }, () => rt.map(node, [1, 1, 1, 1]));
  const inProcess: number[] = [];
  const byThreads: number[][] = counts.map(() => []);
  for (let round = 0; round < MAP_SAMPLES; round++) {
    inProcess.push(await msOfMap(burnNode));
    for (const [i, node] of nodes.entries()) byThreads[i]!.push(await msOfMap(node));
  }
  const baseline = median(inProcess);
  const rows: Row[] = [{ name: `rt.map, ${ITEMS} CPU-bound nodes in-process`, value: baseline, unit: "ms" }];
  for (const [i, threads] of counts.entries()) {
    const value = median(byThreads[i]!);
    rows.push({
      name: `  the same as rt.workerNode, ${threads} thread${threads === 1 ? "" : "s"}`,
      value,
      unit: "ms",
      note: `speed-up ${(baseline / value).toFixed(2)}x`,
    });
  }
  return rows;
}

/** Wall time and CPU time (of every thread of the process) per call of `op`, in microseconds. */
async function perCall(op: () => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const wall = await nsPerOp(CALLS, op);
  const used = process.cpuUsage(cpu);
  return { wall: wall / 1000, cpu: (used.user + used.system) / CALLS };
}

async function overhead(): Promise<Row[]> {
  const node = rt.workerNode(WORK, "burnNode", { threads: 1 });
  const pool = new Piscina({ filename: WORK.href, name: "burn", minThreads: 1, maxThreads: 1 });
  const bare: Array<{ wall: number; cpu: number }> = [];
  const traced: Array<{ wall: number; cpu: number }> = [];
  const inline: number[] = [];
  try {
    await rt.session({ store: null }, async () => {
      // Warm-up: both threads' code (and the caller's) optimized, as in a process that has been
      // running a while; a few hundred calls leave the longer path of a worker node still cold.
      for (let i = 0; i < WARM_UP_CALLS; i++) {
        await pool.run(SMALL_ROUNDS);
        await rt.call(node, SMALL_ROUNDS);
      }
      for (let round = 0; round < CALL_SAMPLES; round++) {
        const b = await perCall(() => pool.run(SMALL_ROUNDS));
        const t = await perCall(() => rt.call(node, SMALL_ROUNDS));
        const i = await nsPerOp(CALLS, () => burn(SMALL_ROUNDS));
        bare.push(b);
        traced.push(t);
        inline.push(i / 1000);
      }
    });
  } finally {
    await pool.destroy();
  }
  const baseWall = median(bare.map((b) => b.wall));
  const baseCpu = median(bare.map((b) => b.cpu));
  return [
    withRatio({ name: "bare piscina run(), 1 thread: wall", value: baseWall, unit: "µs/call" }, baseWall),
    withRatio(
      {
        name: "rt.call of rt.workerNode, 1 thread: wall",
        value: median(traced.map((t) => t.wall)),
        unit: "µs/call",
      },
      baseWall,
      1.2,
      "≤ 1.2x",
    ),
    withRatio({ name: "bare piscina run(), 1 thread: CPU", value: baseCpu, unit: "µs/call" }, baseCpu),
    withRatio(
      {
        name: "rt.call of rt.workerNode, 1 thread: CPU",
        value: median(traced.map((t) => t.cpu)),
        unit: "µs/call",
      },
      baseCpu,
      1.2,
      "≤ 1.2x",
    ),
    { name: "  the function in-process, for scale: wall", value: median(inline), unit: "µs/call" },
  ];
}

export default async function bench(): Promise<BenchResult> {
  const rows = [...(await speedUps()), ...(await overhead())];
  return {
    title: "workers: rt.workerNode against in-process nodes and a bare worker pool",
    rows,
    notes: [
      `Speed-up: ${MAP_SAMPLES} samples of rt.map over ${ITEMS} nodes of ${HEAVY_ROUNDS.toLocaleString("en-US")} hash rounds each, pools warmed first.`,
      `Per call: after ${WARM_UP_CALLS.toLocaleString("en-US")} calls of each to warm up, ${CALL_SAMPLES} interleaved samples of ${CALLS} sequential calls of ${SMALL_ROUNDS.toLocaleString("en-US")} rounds, recorded in a session that stores nothing; the pool's own cost is in both. CPU: process.cpuUsage() over every thread, so it does not count waiting for a busy machine's cores.`,
      `This machine has ${availableParallelism()} CPUs (os.availableParallelism()).`,
    ],
  };
}
