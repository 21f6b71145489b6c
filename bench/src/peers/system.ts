import { type ContextManager, context, type TracerProvider, trace } from "@opentelemetry/api";
import { gc, median } from "../lib.js";
import type { StorageWatch } from "./async-storages.js";
import { CALLS_PER_ROOT } from "./workload.js";

/** One traced system of the comparison. */
export interface System {
  name: string;
  /** Roots per sample, when not the benchmark's (a system far slower than the others runs fewer). */
  roots?: number;
  /**
   * What one root leaves behind once written or sent (records, spans, runs), checked after every
   * sample; `0` for the rows that keep nothing (the floor, recording off).
   */
  perRoot: number;
  /** The tracer provider registered globally during its samples; none otherwise. */
  provider?: TracerProvider;
  /** The context manager registered globally during its samples; else the one registered before. */
  contextManager?: ContextManager;
  /** Outside the measured window, before a sample: a fresh store, the tracer provider to use. */
  prepare?(): void | Promise<void>;
  /** The measured window: runs `roots` roots one after another and flushes their records. */
  run(roots: number): Promise<void>;
  /**
   * Still in the window, for a system that exports: waits until the backend has everything, and says
   * whether it had to (its flush resolved before its last batch had arrived).
   */
  delivered?(roots: number): Promise<boolean>;
  /** Outside the window, after a sample: how many records, spans or runs it left. */
  recorded?(): Promise<number>;
}

/** The medians of one system's samples, per traced call. */
export interface Result {
  system: System;
  cpu: number;
  wall: number;
  /** Records the measured samples should have left, and those they did. */
  expected: number;
  recorded: number;
  /** AsyncLocalStorage instances enabled at the end of a sample (its own, when storages are isolated). */
  storages: number;
  /** Samples whose flush resolved before the backend had everything. */
  late: number;
}

interface Sample {
  cpu: number;
  wall: number;
  expected: number;
  recorded: number;
  storages: number;
  late: boolean;
}

async function sample(system: System, roots: number, storages: StorageWatch): Promise<Sample> {
  storages.disableAll();
  trace.disable();
  if (system.provider !== undefined) trace.setGlobalTracerProvider(system.provider);
  if (system.contextManager !== undefined) {
    context.disable();
    context.setGlobalContextManager(system.contextManager.enable());
  }
  await system.prepare?.();
  gc();
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  await system.run(roots);
  const late = (await system.delivered?.(roots)) ?? false;
  const wallNs = Number(process.hrtime.bigint() - start);
  const cpu = process.cpuUsage(cpuBefore);
  const calls = roots * CALLS_PER_ROOT;
  return {
    cpu: (cpu.user + cpu.system) / calls,
    wall: wallNs / 1000 / calls,
    expected: roots * system.perRoot,
    recorded: (await system.recorded?.()) ?? 0,
    storages: storages.enabled(),
    late,
  };
}

/**
 * Runs every system's samples interleaved: one warm-up round (left out, and the round during which
 * the storages the systems use are noted), then `rounds` rounds, the order reversed every other
 * round (ABBA) so no system always follows the same one.
 */
export async function interleave(
  systems: System[],
  roots: number,
  rounds: number,
  storages: StorageWatch,
): Promise<Result[]> {
  const samples: Sample[][] = systems.map(() => []);
  const order = systems.map((_, i) => i);
  for (let round = 0; round <= rounds; round++) {
    for (const i of round % 2 === 0 ? order : [...order].reverse()) {
      const system = systems[i]!;
      const value = await sample(system, system.roots ?? roots, storages);
      if (round > 0) samples[i]!.push(value);
    }
    if (round === 0) storages.stop();
  }
  return systems.map((system, i) => {
    const list = samples[i]!;
    const sum = (pick: (s: Sample) => number) => list.reduce((total, s) => total + pick(s), 0);
    return {
      system,
      cpu: median(list.map((s) => s.cpu)),
      wall: median(list.map((s) => s.wall)),
      expected: sum((s) => s.expected),
      recorded: sum((s) => s.recorded),
      storages: Math.max(...list.map((s) => s.storages)),
      late: list.filter((s) => s.late).length,
    };
  });
}
