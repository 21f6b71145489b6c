import { deserialize } from "node:v8";
import { MessageChannel } from "node:worker_threads";
import { textOf } from "../internal/safe.js";
import { warnOnce } from "../recording/logger.js";
import { type Frame, storage } from "../runtime/frame.js";
import { graftCalls } from "../session-file/graft.js";
import { inject } from "../tracing/bridge.js";
import { serializeArgs } from "./cloneable.js";
import { rebuildError } from "./crossed-error.js";
import { poolFor } from "./pools.js";
import type { WorkerOutcome, WorkerReply, WorkerTask } from "./task.js";

/** Where a worker call ran, on its record (`process.pid` and `host.name` as OpenTelemetry names them). */
export const ATTR_WORKER_THREAD = "runtrace.worker.thread";
const ATTR_PROCESS_PID = "process.pid";
const ATTR_HOST_NAME = "host.name";
/** How many of the worker's calls were left out of what it sent back (see `RemoteCalls.dropped`). */
const ATTR_REMOTE_DROPPED = "runtrace.remote.dropped";

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
  const payload = serializeArgs(target.name, args);
  const frame = storage.getStore();
  const signal = frame?.scope.signal;
  signal?.throwIfAborted();
  const { port1, port2 } = new MessageChannel();
  const task: WorkerTask = {
    module: target.module,
    exportName: target.exportName,
    args: payload,
    calls: frame?.session.settings.recording === true,
    abort: port2,
  };
  const trace = inject({} as Record<string, string>);
  if (trace.traceparent !== undefined) task.trace = trace;
  const terminate = new AbortController();
  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    port1.postMessage(textOf(signal?.reason));
    graceTimer = setTimeout(() => terminate.abort(signal?.reason), target.graceMs);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const transferList: Array<ArrayBuffer | typeof port2> = [port2];
  // `v8.serialize` hands back a buffer of its own: move it rather than copy it (never a pool's slab).
  if (payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength)
    transferList.push(payload.buffer as ArrayBuffer);
  let reply: WorkerReply;
  try {
    reply = (await poolFor(target.module, target.threads).run(task, {
      transferList,
      signal: terminate.signal,
    })) as WorkerReply;
  } catch (error) {
    // Stopped here: the call has ended already with its own error (timeout, cancellation).
    if (signal?.aborted) throw signal.reason;
    throw threadFailed(target, error);
  } finally {
    clearTimeout(graceTimer);
    signal?.removeEventListener("abort", onAbort);
    port1.close();
  }
  if (frame !== undefined) record(frame, reply, target, signal?.aborted === true);
  const outcome = deserialize(reply.outcome) as WorkerOutcome;
  if (outcome.ok) return outcome.value;
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
    for (const event of reply.own?.events ?? []) session.event(caller, event.name, event.data);
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
