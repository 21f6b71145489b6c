import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describeValue, InvalidOptionsError } from "../errors.js";
import type { Node } from "../nodes/node.js";
import { expectDuration, expectPositiveInteger } from "../nodes/option-checks.js";
import type { NodeOptions } from "../nodes/options.js";
import { functionNode } from "../runtime/function-node.js";
import { runInWorker, type WorkerTarget } from "./dispatch.js";

/** Options of `rt.workerNode`: a node's options, and the pool's. */
export interface WorkerNodeOptions extends Omit<NodeOptions, "paramNames"> {
  /**
   * Threads in the pool that runs the module's exports. Worker nodes of one module with the same
   * `threads` share one pool. @default os.availableParallelism()
   */
  threads?: number;
  /**
   * How long a cancelled or timed-out call's work has to stop (the worker's `rt.signal()` aborts at
   * once) before its thread is terminated; the pool starts a new thread in its place. @default 1000
   */
  graceMs?: number;
}

type AnyFunction = (...args: any[]) => unknown;

const DEFAULT_GRACE_MS = 1000;

function moduleUrl(module: unknown, exportName: string): string {
  const where = `rt.workerNode(…, "${exportName}")`;
  let url: URL;
  if (module instanceof URL) url = module;
  else if (typeof module === "string" && module.startsWith("file:")) url = new URL(module);
  else if (typeof module === "string" && module.startsWith("/")) url = pathToFileURL(module);
  else
    throw new InvalidOptionsError(
      `${where}: expected the module as a URL or an absolute path, got ${describeValue(module)}. Name it from the calling module: rt.workerNode(new URL("./heavy.js", import.meta.url), "${exportName}").`,
    );
  if (url.protocol !== "file:")
    throw new InvalidOptionsError(
      `${where}: worker threads load modules from files, got ${url.href}. Pass a file: URL or an absolute path.`,
    );
  const path = fileURLToPath(url);
  if (!existsSync(path))
    throw new InvalidOptionsError(
      `${where}: there is no module at ${path}. Worker threads run plain JavaScript: point at the compiled .js file (new URL("./heavy.js", import.meta.url) from the compiled caller).`,
    );
  return url.href;
}

/**
 * A node whose calls run an exported function of `module` in a pool of worker threads: CPU-bound
 * work (parsing, embedding math, scoring) runs in parallel without blocking the event loop. The
 * export is a runtrace node or a plain function; arguments and the result are copied by structured
 * clone (an argument that cannot be copied fails the call at once, named). The calls it makes with
 * `rt.call` in the worker are recorded there and join the caller's tree under this call's record,
 * and with tracing on its spans continue the caller's trace. `timeoutMs`, `retry` and `concurrency`
 * work as for any node; a call that times out or is cancelled aborts `rt.signal()` in the worker,
 * and its thread is terminated if the work has not stopped after `graceMs`. The record says where
 * it ran: `runtrace.worker.thread`, `process.pid`, `host.name`.
 *
 * The module is loaded by each thread as plain Node JavaScript (compiled, not TypeScript source).
 *
 * @example
 * ```ts
 * // heavy.ts exports `parse` (a node or a function); this file sits beside its compiled heavy.js
 * const parse = rt.workerNode<typeof import("./heavy.js").parse>(
 *   new URL("./heavy.js", import.meta.url), "parse", { threads: 4, timeoutMs: 10_000 });
 * const trees = await rt.map(documents, (doc) => rt.call(parse, doc));
 * ```
 */
export function workerNode<F extends AnyFunction = AnyFunction>(
  module: URL | string,
  exportName: string,
  options: WorkerNodeOptions = {},
): Node<Parameters<F>, Awaited<ReturnType<F>>> {
  if (typeof exportName !== "string" || exportName === "") {
    throw new InvalidOptionsError(
      `rt.workerNode: expected the export's name (a non-empty string) after the module, got ${describeValue(exportName)}.`,
    );
  }
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `rt.workerNode: expected options to be an object, got ${describeValue(options)}.`,
    );
  }
  const { threads, graceMs, ...nodeOptions } = options;
  const name = nodeOptions.name ?? exportName;
  const where = `Node "${name}"`;
  const target: WorkerTarget = {
    name,
    module: moduleUrl(module, exportName),
    exportName,
    threads:
      threads === undefined
        ? availableParallelism()
        : expectPositiveInteger(where, "threads", threads, "threads in the pool"),
    graceMs: graceMs === undefined ? DEFAULT_GRACE_MS : expectDuration(where, "graceMs", graceMs),
  };
  const run = (...args: unknown[]) => runInWorker(target, args);
  Object.defineProperty(run, "name", { value: name });
  return functionNode(run, { ...nodeOptions, name }) as unknown as Node<
    Parameters<F>,
    Awaited<ReturnType<F>>
  >;
}
