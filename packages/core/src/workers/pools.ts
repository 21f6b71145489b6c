import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Piscina } from "piscina";
import { StopSender } from "./stop-channel.js";

/**
 * One pool of threads per worker module and thread count, shared by every `rt.workerNode` of that
 * module: nodes of one module share its warm threads (and its imports, made once per thread).
 * Piscina unrefs idle threads, so a script whose work is done exits with threads still in the pool.
 */

/** A pool, and the channel its callers stop calls through. */
export interface WorkerPool {
  pool: Piscina;
  stops: StopSender;
}

const pools = new Map<string, WorkerPool>();

/** How long a thread past the first may stay idle before the pool ends it. */
const IDLE_MS = 30_000;

/**
 * The worker side as compiled JavaScript. Threads load plain Node modules: where this code runs from
 * the TypeScript sources (tests under vitest), the compiled file beside them in dist is used.
 */
function entryFile(): string {
  const beside = new URL("./worker-entry.js", import.meta.url);
  const path = fileURLToPath(beside);
  if (existsSync(path)) return beside.href;
  const compiled = path.replace(/([\\/])src([\\/]workers[\\/]worker-entry\.js)$/, "$1dist$2");
  if (compiled !== path && existsSync(compiled)) return pathToFileURL(compiled).href;
  throw new Error(
    `The worker side of rt.workerNode is missing: expected ${path}. Build @runtrace/core (tsc -b) before running worker nodes from its sources.`,
  );
}

let entry: string | undefined;

/** The pool that runs `module`'s exports on `threads` threads, made at its first use. */
export function poolFor(module: string, threads: number): WorkerPool {
  const key = `${threads} ${module}`;
  let found = pools.get(key);
  if (found === undefined) {
    entry ??= entryFile();
    const pool = new Piscina({
      filename: entry,
      name: "runTask",
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: IDLE_MS,
    });
    found = { pool, stops: new StopSender() };
    pools.set(key, found);
  }
  return found;
}

/** Ends every pool's threads (tests, and applications that want a clean stop). */
export async function closeWorkerPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  for (const { stops } of all) stops.close();
  await Promise.all(all.map(({ pool }) => pool.destroy()));
}
