import { randomUUID } from "node:crypto";
import * as rt from "@runtrace/core";
import { remoteCaller } from "@runtrace/core/remote";
import { whenAborted } from "./aborts.js";
import { ATTR_REMOTE_JOB, ATTR_REMOTE_QUEUE, allAttempts, recordJob } from "./attempts.js";
import { type CallerLink, type JobEnd, linkFor } from "./caller-link.js";
import { DEFAULT_CONNECT_TIMEOUT_MS, type RedisConnection } from "./connection.js";
import { RemoteCallError, type WorkerError } from "./errors.js";
import { checkArguments } from "./json-args.js";
import {
  type AttemptReport,
  DEFAULT_PREFIX,
  type JobData,
  type JobResult,
  reportsKey,
  shownData,
} from "./protocol.js";
import { checkRemoteNodeOptions, type RemoteNodeOptions } from "./remote-node-options.js";

/**
 * A node that runs on a worker process, anywhere that reaches the same Redis: each call adds a
 * BullMQ job to `queue` with the arguments (as JSON), the W3C trace context and the calling session
 * and call, and waits for its result. A worker started with `startWorker` runs the node of the same
 * name in a session that continues the caller's trace and sends its calls back: they join the
 * caller's tree under the call's record, which also shows the job's attempts, and the host and pid
 * of the worker that ran it (`runtrace.remote.host`, `runtrace.remote.pid`).
 *
 * The job's `attempts` and `backoff` are BullMQ's: a worker that dies mid-job is found by BullMQ's
 * stalled-job check and the job runs again. A call that times out (`timeoutMs`) or is cancelled
 * removes its job if no worker has taken it yet; a job already running is abandoned, and its result
 * ignored. A failed job rejects with `RemoteCallError` carrying the worker's error.
 *
 * @example
 * ```ts
 * const connection = { host: "127.0.0.1", port: 6379 };
 * const summarize = remoteNode<[string], string>("summarize", { queue: "runtrace", connection });
 * const summary = await rt.call(summarize, text);
 * ```
 */
export function remoteNode<A extends unknown[] = unknown[], R = unknown>(
  name: string,
  options: RemoteNodeOptions,
): rt.Node<A, R> {
  checkRemoteNodeOptions(name, options);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const kind = options.kind ?? "function";
  const link = {
    queue: options.queue,
    connection: options.connection as RedisConnection,
    prefix,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
  const jobOptions = {
    attempts: options.attempts ?? 1,
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    removeOnComplete: true,
    removeOnFail: true,
  };
  const wantCalls = options.remoteCalls ?? true;
  // The node's link while it is open: most calls then find it without a lookup or a wait.
  let linked: CallerLink | undefined;
  const run = async (...args: A): Promise<R> => {
    checkArguments(name, args);
    const callStart = Date.now();
    const signal = rt.signal();
    if (linked?.open !== true) linked = await linkFor(link);
    const opened = linked;
    signal.throwIfAborted();
    const jobId = randomUUID();
    // Now, not at the end: a call that waits long shows its job in the live viewer.
    rt.setAttributes({ [ATTR_REMOTE_JOB]: jobId });
    const data: JobData = { v: 1, node: name, args };
    const trace = rt.inject({} as Record<string, string>);
    if (trace.traceparent !== undefined) data.trace = trace;
    const caller = remoteCaller();
    if (caller !== undefined)
      data.caller = { session: caller.session, call: caller.call, calls: wantCalls && caller.recording };
    const waiting = opened.wait(jobId);
    // Giving up settles the wait at once (the call's record has ended already): the job goes if no
    // worker has it yet.
    const stopListening = whenAborted(signal, () => {
      waiting.forget();
      void withdraw(opened, jobId);
    });
    let end: JobEnd | undefined;
    try {
      await opened.queue.add(name, data, { ...jobOptions, jobId });
      // Given up while the job was being added: the removal tried then came too soon.
      if (signal.aborted) void withdraw(opened, jobId);
      end = await waiting.ended;
    } catch (error) {
      waiting.forget();
      throw error;
    } finally {
      stopListening();
    }
    if (end === undefined) throw signal.reason;
    if (end.ok && !isJobResult(end.value)) throw notFromWorker(name, options.queue, jobId, end.value);
    const result = end.ok ? (end.value as JobResult) : undefined;
    // A job done at its first attempt needs no read: its one report came with its result.
    const first = result?.report;
    const reports =
      first !== undefined && first.attempt <= 1
        ? [first]
        : await reportsOf(opened, prefix, options.queue, jobId, result);
    // Given up meanwhile: the call has ended already, and this result is not its own any more.
    if (signal.aborted) throw signal.reason;
    const last = reports.at(-1);
    if (last !== undefined) recordJob(name, kind, reports, callStart);
    if (result !== undefined) return result.value as R;
    const remote: WorkerError = last?.error ?? { name: "Error", message: (end as { reason: string }).reason };
    const where = last === undefined || last.host === "" ? "" : ` on ${last.host} (pid ${last.pid})`;
    throw new RemoteCallError(
      `Remote call "${name}" failed${where} after ${reports.length || 1} attempt(s): ${remote.message}`,
      remote,
      jobId,
      reports.length,
    );
  };
  return rt.functionNode(run, {
    name,
    kind,
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.params === undefined ? {} : { params: options.params }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.record === undefined ? {} : { record: options.record }),
    attributes: { ...options.attributes, [ATTR_REMOTE_QUEUE]: options.queue },
  }) as unknown as rt.Node<A, R>;
}

/**
 * The attempt reports of a finished job, in order, read from the job's report key, which goes then.
 * The last attempt's report came with the result when it succeeded.
 */
async function reportsOf(
  link: CallerLink,
  prefix: string,
  queue: string,
  jobId: string,
  result: JobResult | undefined,
): Promise<AttemptReport[]> {
  const last = result?.report;
  const key = reportsKey(prefix, queue, jobId);
  let stored: Record<string, string> = {};
  try {
    const [[, read]] = (await link.redis.multi().hgetall(key).del(key).exec()) as [
      [unknown, Record<string, string>],
    ];
    stored = read ?? {};
  } catch {
    // Without the reports the call still has its result; only the earlier attempts go unrecorded.
  }
  const byAttempt = new Map<number, AttemptReport>();
  for (const text of Object.values(stored)) {
    try {
      const report = JSON.parse(text) as AttemptReport;
      if (Number.isSafeInteger(report.attempt)) byAttempt.set(report.attempt, report);
    } catch {}
  }
  if (last !== undefined) return allAttempts(byAttempt, last);
  const highest = Math.max(0, ...byAttempt.keys());
  const final = byAttempt.get(highest);
  return final === undefined ? [] : allAttempts(byAttempt, final);
}

/** What a `startWorker` worker returns for a job (see `JobResult`). */
function isJobResult(value: unknown): value is JobResult {
  const result = value as Partial<JobResult> | null;
  return (
    typeof result === "object" &&
    result !== null &&
    result.v === 1 &&
    "value" in result &&
    typeof result.report === "object" &&
    result.report !== null &&
    Number.isSafeInteger(result.report.attempt)
  );
}

/** A job's result that no runtrace worker made: another worker takes the queue's jobs. */
function notFromWorker(name: string, queue: string, jobId: string, value: unknown): RemoteCallError {
  const held = shownData(value);
  const message =
    `Remote call "${name}" got a result that no runtrace worker sends (${held}): a worker other than ` +
    `startWorker's takes jobs from queue "${queue}". Run only startWorker({ queue: "${queue}" }) workers on it.`;
  return new RemoteCallError(message, { name: "NotFromWorkerError", message }, jobId, 1);
}

/** The caller gave up: the job goes if no worker has it yet (a job being run is left to finish, unheard). */
async function withdraw(link: CallerLink, jobId: string): Promise<void> {
  try {
    await link.queue.remove(jobId);
  } catch {
    // Locked by a worker, or already gone: either way nobody waits for it now.
  }
}
