/**
 * The work of the `workers` benchmark, as loaded by worker threads: a CPU-bound node, and the same
 * function bare for a pool used without runtrace.
 */
import * as rt from "@runtrace/core";

/** Spins a little hash over `rounds` steps: CPU only, no allocation, no I/O. */
export function burn(rounds: number): number {
  let hash = 2166136261;
  for (let i = 0; i < rounds; i++) {
    hash ^= i & 0xff;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash;
}

/** `burn` as a node, as a user's worker module would export it. */
export const burnNode = rt.functionNode(burn, { name: "burn" });
