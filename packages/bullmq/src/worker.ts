import { hostname } from "node:os";
import * as rt from "@runtrace/core";
import { exportCalls } from "@runtrace/core/remote";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { AttemptMarks } from "./attempt-marks.js";
import { blockingOf, connect, DEFAULT_CONNECT_TIMEOUT_MS, type RedisConnection } from "./connection.js";
import type { WorkerError } from "./errors.js";
import {
  type AttemptReport,
  DEFAULT_PREFIX,
  type JobData,
  type JobResult,
  reportsKey,
  shownData,
} from "./protocol.js";
import { checkPositiveInteger, checkQueueAndConnection } from "./remote-node-options.js";
import { defineReportCommand, writeReport } from "./reports.js";
import { warnOnce } from "./warn.js";

/** Options of `startWorker`. */
export interface StartWorkerOptions {
  /** The BullMQ queue to take jobs from (the remote nodes' `queue`). */
  queue: string;
  /** Where Redis is: `{ host, port }`, `{ url }`, or an ioredis client. */
  connection: RedisConnection;
  /** The nodes this worker runs, by name: a job names one of them. */
  nodes: readonly rt.Node[];
  /** BullMQ's key prefix of the queue (the remote nodes' `prefix`). @default "bull" */
  prefix?: string;
  /** How many jobs run at once in this worker. @default 1 */
  concurrency?: number;
  /**
   * BullMQ's lock on a running job, renewed while it runs: a worker that dies holds its jobs this
   * long at most before they can be found stalled. @default 30000
   */
  lockDuration?: number;
  /** How often BullMQ looks for stalled jobs (whose worker died) to run them again. @default 30000 */
  stalledInterval?: number;
  /** How many times a job may stall (lose its worker) before it fails instead. @default 1 */
  maxStalledCount?: number;
  /** How long connecting to Redis may take before `startWorker` fails with `RedisUnreachableError`. @default 5000 */
  connectTimeoutMs?: number;
  /** Send the calls made for a job back to callers that ask for them. @default true */
  shareCalls?: boolean;
}

/** A started worker. */
export interface RemoteWorker {
  /** The BullMQ worker, for its events and settings. */
  readonly worker: Worker;
  /** Stops taking jobs, waits for the running ones to end, and closes its connections. */
  close(): Promise<void>;
}

const OPTIONS = Object.keys({
  queue: true,
  connection: true,
  nodes: true,
  prefix: true,
  concurrency: true,
  lockDuration: true,
  stalledInterval: true,
  maxStalledCount: true,
  connectTimeoutMs: true,
  shareCalls: true,
} satisfies Record<keyof StartWorkerOptions, true>);

/** Attributes of a worker's session: who called (not `….session.id`: keys ending so are redacted as cookies). */
const ATTR_CALLER_SESSION = "runtrace.caller.session";
const ATTR_CALLER_CALL = "runtrace.caller.call";

/**
 * Starts a BullMQ worker that runs `nodes` for the remote nodes of the same name: each job in a
 * session of its own (kept in memory) that continues the caller's trace, its calls sent back with
 * the result to join the caller's tree. Resolves once it is connected; an unreachable Redis
 * rejects with `RedisUnreachableError`. A job that names a node this worker does not have fails at
 * once, with the names it has.
 *
 * @example
 * ```ts
 * const summarize = rt.functionNode(async (text: string) => text.slice(0, 100), { name: "summarize" });
 * const worker = await startWorker({ queue: "runtrace", connection, nodes: [summarize] });
 * process.on("SIGTERM", () => worker.close());
 * ```
 */
export async function startWorker(options: StartWorkerOptions): Promise<RemoteWorker> {
  const nodes = checkWorkerOptions(options);
  const { queue, connection } = options;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const redis = await connect(
    connection,
    options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    `a worker of queue "${queue}"`,
  );
  defineReportCommand(redis);
  const processJob = processorFor(nodes, redis, prefix, queue, options.shareCalls ?? true);
  const worker = new Worker(queue, processJob, {
    connection: blockingOf(connection),
    prefix,
    concurrency: options.concurrency ?? 1,
    ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
    ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
    ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
  });
  worker.on("error", (error) => warnOnce(`worker:${queue}`, `BullMQ worker of "${queue}": ${error.message}`));
  try {
    await worker.waitUntilReady();
  } catch (error) {
    await worker.close(true).catch(() => {});
    redis.disconnect();
    throw error;
  }
  return {
    worker,
    async close() {
      await worker.close();
      redis.disconnect();
    },
  };
}

function checkWorkerOptions(options: StartWorkerOptions): Map<string, rt.Node> {
  const where = "startWorker";
  if (typeof options !== "object" || options === null)
    throw new rt.InvalidOptionsError(
      `${where}: expected options { queue, connection, nodes }, got ${String(options)}.`,
    );
  rt.checkOptionKeys(where, options, OPTIONS);
  checkQueueAndConnection(where, options.queue, options.connection);
  for (const key of [
    "concurrency",
    "lockDuration",
    "stalledInterval",
    "maxStalledCount",
    "connectTimeoutMs",
  ] as const)
    checkPositiveInteger(where, key, options[key]);
  if (!Array.isArray(options.nodes) || options.nodes.length === 0)
    throw new rt.InvalidOptionsError(`${where}: expected \`nodes\` to be a non-empty array of nodes.`);
  const byName = new Map<string, rt.Node>();
  options.nodes.forEach((node, index) => {
    if (typeof node !== "function" || typeof node.name !== "string" || typeof node.toolSchema !== "function")
      throw new rt.InvalidOptionsError(
        `${where}: expected \`nodes[${index}]\` to be a node; wrap the function first: rt.functionNode(fn, { name }).`,
      );
    if (byName.has(node.name))
      throw new rt.InvalidOptionsError(
        `${where}: two nodes are named "${node.name}"; a job names the node to run.`,
      );
    byName.set(node.name, node);
  });
  return byName;
}

const HOST = hostname();

/** How long an attempt runs before its worker marks it as its own (see `AttemptMarks`). */
const MARK_AFTER_MS = 20;

function processorFor(
  nodes: Map<string, rt.Node>,
  redis: Redis,
  prefix: string,
  queue: string,
  shareCalls: boolean,
): (job: Job) => Promise<JobResult> {
  const known = [...nodes.keys()].map((name) => `"${name}"`).join(", ");
  const marks = new AttemptMarks(redis, MARK_AFTER_MS);
  return async (job) => {
    const data = job.data as JobData;
    const key = reportsKey(prefix, queue, job.id!);
    const report: AttemptReport = {
      attempt: job.attemptsStarted,
      host: HOST,
      pid: process.pid,
      start: Date.now(),
      status: "running",
    };
    marks.started(report, key);
    const refusal = refusalOf(data, job.id, queue);
    if (refusal !== undefined) {
      marks.ended(report);
      await fail(redis, key, report, refusal, undefined);
      throw new UnrecoverableError(refusal.message);
    }
    const node = nodes.get(data.node);
    if (node === undefined) {
      const error: WorkerError = {
        name: "UnknownNodeError",
        code: "RUNTRACE_REMOTE_UNKNOWN_NODE",
        message: `No node named "${data.node}" on this worker (${HOST}, pid ${process.pid}) of queue "${queue}": it runs ${known}. Add the node to startWorker({ nodes }) where the workers run.`,
      };
      marks.ended(report);
      await fail(redis, key, report, error, undefined);
      throw new UnrecoverableError(error.message);
    }
    const attributes: Record<string, unknown> = {
      "runtrace.remote.job": job.id,
      "runtrace.remote.attempt": report.attempt,
    };
    if (data.caller !== undefined) {
      attributes[ATTR_CALLER_SESSION] = data.caller.session;
      attributes[ATTR_CALLER_CALL] = data.caller.call;
    }
    // Stored nowhere: its tree is what goes back to the caller, whose store keeps it (a store per
    // job would be one more object for `rt.flush()` to track and the collector to finalize).
    const session = new rt.Session({
      name: `${queue} ${node.name}`,
      parent: data.trace,
      store: null,
      attributes,
    });
    const wantCalls = shareCalls && data.caller?.calls === true;
    let value: unknown;
    try {
      value = await session.run(() => rt.call(node, ...data.args));
    } catch (thrown) {
      marks.ended(report);
      const error = workerError(thrown);
      await fail(redis, key, report, error, wantCalls ? exportCalls(session.tree) : undefined);
      throw Object.assign(new Error(error.message), { name: error.name });
    }
    const marked = marks.ended(report);
    report.status = "ok";
    report.end = Date.now();
    if (wantCalls) report.calls = exportCalls(session.tree);
    // A first attempt's one report goes back with the result: nobody needs its mark.
    if (marked && report.attempt <= 1) redis.del(key).catch(() => {});
    return { v: 1, value, report };
  };
}

/**
 * Why a job's data is not a remote call this worker can run, or `undefined` when it is one: jobs on
 * the queue that something else added (by hand, another version) fail at once, saying what they
 * hold, instead of running a node with arguments made of whatever was there.
 */
function refusalOf(data: unknown, jobId: string | undefined, queue: string): WorkerError | undefined {
  const d = data as Partial<JobData> | null | undefined;
  if (typeof d === "object" && d !== null && typeof d.node === "string" && Array.isArray(d.args))
    return undefined;
  const held = shownData(data);
  return {
    name: "NotARemoteCallError",
    code: "RUNTRACE_REMOTE_NOT_A_CALL",
    message: `Job ${jobId} of queue "${queue}" is not a runtrace remote call: expected data { v: 1, node: "<name>", args: [...] } as remoteNode adds it, got ${held}. Add jobs to this queue with remoteNode(name, { queue }) only.`,
  };
}

async function fail(
  redis: Redis,
  key: string,
  report: AttemptReport,
  error: WorkerError,
  calls: AttemptReport["calls"],
): Promise<void> {
  report.status = "error";
  report.end = Date.now();
  report.error = error;
  if (calls !== undefined) report.calls = calls;
  try {
    await writeReport(redis, key, report);
  } catch {
    // The caller then knows the attempt only from BullMQ's failed reason.
  }
}

function workerError(thrown: unknown): WorkerError {
  if (thrown instanceof Error) {
    const error: WorkerError = { name: thrown.name, message: thrown.message };
    if (thrown.stack !== undefined) error.stack = thrown.stack;
    const code = (thrown as { code?: unknown }).code;
    if (typeof code === "string") error.code = code;
    return error;
  }
  return { name: "Error", message: String(thrown) };
}
