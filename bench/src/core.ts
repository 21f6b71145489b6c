/**
 * The cost of `rt.call` against the floor it cannot go below (one AsyncLocalStorage frame around an
 * awaited async function), the heap a recorded call keeps, and a session of 1,000,000 calls.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as rt from "@runtrace/core";
import { type BenchResult, gc, median, nsPerOp, type Row, withRatio } from "./lib.js";

const CALLS = 20_000;
const SAMPLES = 15;

async function work(): Promise<number> {
  return 1;
}

const node = rt.functionNode(work, { name: "work" });
const floorStorage = new AsyncLocalStorage<{ id: number }>();
const FLOOR = "floor: als.run(store, async () => await fn())";

/**
 * ns per call of `rt.call(node)` in one session per sample, with the current settings: the
 * session's end and everything its store writes are included, as a program pays for them.
 */
async function callInSession(): Promise<number> {
  const start = process.hrtime.bigint();
  await rt.session("bench", async () => {
    for (let i = 0; i < CALLS; i++) await rt.call(node);
  });
  await rt.flush();
  return Number(process.hrtime.bigint() - start) / CALLS;
}

async function heapPerCall(count: number): Promise<number> {
  rt.configure({ store: rt.memoryStore(), record: { input: false, output: false } });
  const session = new rt.Session({ name: "heap" });
  gc();
  const before = process.memoryUsage().heapUsed;
  await session.run(async () => {
    for (let i = 0; i < count; i++) await rt.call(node);
  });
  gc();
  const after = process.memoryUsage().heapUsed;
  if (session.tree.size !== count) throw new Error("the tree lost calls");
  return (after - before) / count;
}

async function millionCalls(
  dir: string,
): Promise<{ runMs: number; readMs: number; mb: number; read: number }> {
  rt.configure({ store: rt.jsonlStore({ dir }), record: true });
  const session = new rt.Session({ name: "million" });
  const started = performance.now();
  await session.run(async () => {
    // 1,000 parallel branches of 1,000 sequential calls.
    await Promise.all(
      Array.from({ length: 1000 }, async () => {
        for (let i = 0; i < 1000; i++) await rt.call(node);
      }),
    );
  });
  await rt.flush();
  const runMs = performance.now() - started;
  const file = join(dir, `${session.id}.jsonl`);
  const readStart = performance.now();
  const tree = await rt.readSession(file);
  const readMs = performance.now() - readStart;
  return { runMs, readMs, mb: statSync(file).size / 1e6, read: tree.size };
}

export default async function bench(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "runtrace-bench-"));
  const configs: Array<[string, () => void]> = [
    ["rt.call, recording off", () => rt.configure({ store: null, record: false })],
    ["rt.call, memory store", () => rt.configure({ store: rt.memoryStore(), record: true })],
    ["rt.call, JSONL store", () => rt.configure({ store: rt.jsonlStore({ dir }), record: true })],
  ];
  // Interleave the variants sample by sample so a noisy moment hits them all alike.
  const samples = new Map<string, number[]>();
  const take = async (name: string, sample: () => Promise<number>) => {
    const list = samples.get(name) ?? [];
    list.push(await sample());
    samples.set(name, list);
  };
  for (let round = 0; round <= SAMPLES; round++) {
    await take("await fn()", () => nsPerOp(CALLS, () => work()));
    await take("als.run(store, fn)", () => nsPerOp(CALLS, (i) => floorStorage.run({ id: i }, work)));
    // The floor as the issue defines it: one AsyncLocalStorage.run around `await fn()`.
    await take(FLOOR, () => nsPerOp(CALLS, (i) => floorStorage.run({ id: i }, async () => await work())));
    for (const [name, apply] of configs) {
      apply();
      await take(name, callInSession);
    }
  }
  // On Node 20 every enabled storage costs each later promise of the process: the modules that run
  // after this one must not pay for it.
  floorStorage.disable();
  // Round 0 warms up the JIT and is left out.
  const med = (name: string) => median(samples.get(name)!.slice(1));
  const floor = med(FLOOR);
  const rows: Row[] = [
    withRatio({ name: "await fn()", value: med("await fn()"), unit: "ns/call" }, floor),
    withRatio({ name: "als.run(store, fn)", value: med("als.run(store, fn)"), unit: "ns/call" }, floor),
    withRatio({ name: FLOOR, value: floor, unit: "ns/call" }, floor),
    withRatio(
      { name: "rt.call, recording off", value: med("rt.call, recording off"), unit: "ns/call" },
      floor,
    ),
    withRatio(
      { name: "rt.call, memory store", value: med("rt.call, memory store"), unit: "ns/call" },
      floor,
      2,
      "≤ 2x floor",
    ),
    withRatio(
      { name: "rt.call, JSONL store", value: med("rt.call, JSONL store"), unit: "ns/call" },
      floor,
      3,
      "≤ 3x floor",
    ),
  ];
  const heap = median([await heapPerCall(100_000), await heapPerCall(100_000), await heapPerCall(100_000)]);
  rows.push({
    name: "heap per recorded call (no payload)",
    value: heap,
    unit: "bytes",
    target: "≤ 400",
    ok: heap <= 400,
  });
  const million = await millionCalls(dir);
  rows.push({
    name: "1,000,000-call session: run + flush",
    value: million.runMs / 1000,
    unit: "s",
    target: "completes",
    ok: true,
  });
  rows.push({
    name: "1,000,000-call session: read back",
    value: million.readMs / 1000,
    unit: "s",
    target: "all calls",
    ok: million.read === 1_000_000,
  });
  rt.configure({ store: null, record: true });
  rmSync(dir, { recursive: true, force: true });
  return {
    title: `core: rt.call overhead (Node ${process.version})`,
    rows,
    notes: [
      `${CALLS.toLocaleString("en-US")} sequential calls per sample, ${SAMPLES} samples per variant (interleaved), median.`,
      `The 1,000,000-call file is ${million.mb.toFixed(0)} MB and read back with ${million.read.toLocaleString("en-US")} calls.`,
    ],
  };
}
