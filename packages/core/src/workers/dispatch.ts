import { textOf } from "../internal/safe.js";
import { warnOnce } from "../recording/logger.js";
import { currentFrame, type Frame } from "../runtime/frame.js";
import type { Cancellable } from "../runtime/scope.js";
import { graftCalls } from "../session-file/graft.js";
import { inject } from "../tracing/bridge.js";
import { packArgs, transferablesOf, unpack } from "./cloneable.js";
import { rebuildError } from "./crossed-error.js";
import { poolFor } from "./pools.js";
import type { WorkerReply, WorkerTask } from "./task.js";

/** Where a worker call ran, on its record (`process.pid` and `host.name` as OpenTelemetry names them). */
export const ATTR_WORKER_THREAD = "runtrace.worker.thread";
const ATTR_PROCESS_PID = "process.pid";
const ATTR_HOST_NAME = "host.name";
/** How many of the worker's calls were left out of what it sent back (see `RemoteCalls.dropped`). */
const ATTR_REMOTE_DROPPED = "runtrace.remote.dropped";

/**
 * What the pool watches to terminate a call's thread: the one-listener shape of an AbortSignal it
 * accepts, without an AbortController per call (the common call never aborts).
 */
class Terminator {
  aborted = false;
  reason: unknown;
  #listener: (() => void) | undefined;

  addEventListener(_type: "abort", listener: () => void): void {
    this.#listener = listener;
  }

  removeEventListener(): void {
    this.#listener = undefined;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#listener?.();
  }
}

/** A worker node's fixed part: what it runs, where, and how a stopped call is ended. */
export interface WorkerTarget {
  /** The node's name, for errors. */
  name: string;
  module: string;
  exportName: string;
  threads: number;
  graceMs: number;
}

/**
 * Runs one attempt of a worker node in its pool, from inside the attempt's frame (its signal is
 * the attempt's: a timeout or cancellation aborts it). The runtime settles the call itself when
 * the signal aborts; this then tells the worker to stop, and terminates the thread when the work
 * has not stopped after `graceMs`.
 */
export async function runInWorker(target: WorkerTarget, args: unknown[]): Promise<unknown> {
  const packed = packArgs(target.name, args);
  const frame = currentFrame();
  const scope = frame?.scope;
  if (scope?.aborted) throw scope.reason;
  const { pool, stops } = poolFor(target.module, target.threads);
  const task: WorkerTask = {
    module: target.module,
    exportName: target.exportName,
    args: packed,
    calls: frame?.session.settings.recording === true,
    stops: stops.name,
    id: stops.nextId(),
  };
  const trace = inject({} as Record<string, string>);
  if (trace.traceparent !== undefined) task.trace = trace;
  const terminate = new Terminator();
  // Entered in the call's scope like the runtime's own calls: a scope that aborts cancels its
  // entries without an AbortSignal listener per call.
  const stop: Cancellable & { timer?: NodeJS.Timeout } = {
    scopePrev: undefined,
    scopeNext: undefined,
    scopeOwner: undefined,
    cancel(reason) {
      stops.stop(task.id, textOf(reason));
      stop.timer = setTimeout(() => terminate.abort(reason), target.graceMs);
    },
  };
  scope?.enter(stop);
  let reply: WorkerReply;
  try {
    reply = (await pool.run(task, {
      transferList: transferablesOf(packed),
      signal: terminate as unknown as AbortSignal,
    })) as WorkerReply;
  } catch (error) {
    // Stopped here: the call has ended already with its own error (timeout, cancellation).
    if (scope?.aborted) throw scope.reason;
    throw threadFailed(target, error);
  } finally {
    clearTimeout(stop.timer);
    scope?.leave(stop);
  }
  if (frame !== undefined) record(frame, reply, target, scope?.aborted === true);
  const outcome = reply.outcome;
  if (outcome.ok) return unpack(outcome.value);
  throw rebuildError(outcome.error);
}

/** The thread died under the call (`process.exit`, an uncaught error outside the call, out of memory). */
function threadFailed(target: WorkerTarget, error: unknown): Error {
  const failed = new Error(
    `The worker thread running "${target.exportName}" of ${target.module} stopped before it answered: ${textOf(error)}`,
    { cause: error },
  );
  if (error instanceof Error && typeof error.stack === "string" && error.name !== "Error") {
    // An error thrown in the thread outside the call: its stack is the worker's.
    failed.stack = `${failed.name}: ${failed.message}\n${error.stack.split("\n").slice(1).join("\n")}`;
  }
  return failed;
}

/** Puts where it ran and the worker's calls on the caller's record. */
function record(frame: Frame, reply: WorkerReply, target: WorkerTarget, late: boolean): void {
  const { session, record: caller } = frame;
  // A call that ended (timed out, cancelled) keeps the calls it made while its session is open,
  // as it would in-process; its record itself is final.
  if (late && session.root.end !== undefined) return;
  if (!late) {
    const attributes: Record<string, unknown> = {
      [ATTR_WORKER_THREAD]: reply.threadId,
      [ATTR_PROCESS_PID]: reply.pid,
      [ATTR_HOST_NAME]: reply.host,
      ...reply.own?.attributes,
    };
    session.attributes(caller, attributes);
    for (const event of reply.own?.events ?? []) session.event(caller, event.name, event.data, event.time);
  }
  if (reply.calls === undefined) return;
  const grafted = graftCalls(reply.calls, caller, session);
  if (grafted.dropped > 0 && !late) session.attributes(caller, { [ATTR_REMOTE_DROPPED]: grafted.dropped });
  if (grafted.problems.length > 0)
    warnOnce(
      `worker:graft:${target.module}`,
      `The calls made in the worker thread for "${target.exportName}" could not all join the tree: ${grafted.problems[0]}`,
    );
}
