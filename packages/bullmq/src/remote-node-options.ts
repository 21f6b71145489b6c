import * as rt from "@runtrace/core";
import type { RedisConnection } from "./connection.js";

/** Options of `remoteNode`. */
export interface RemoteNodeOptions {
  /** The BullMQ queue the jobs go to; workers of the node listen on the same one. */
  queue: string;
  /** Where Redis is: `{ host, port }` (with `password`, `db`, `tls`...), `{ url }`, or an ioredis client. */
  connection: RedisConnection;
  /** BullMQ's key prefix of the queue; the workers' must be the same. @default "bull" */
  prefix?: string;
  /** The node's kind in the tree and its spans. @default "function" */
  kind?: rt.NodeKind;
  /** What the node does; shown to models when it is a tool. */
  description?: string;
  /** Schemas of the arguments: checked before a job is added, and the node's tool schema. */
  params?: rt.ParamsOption;
  /**
   * How many times BullMQ runs the job before it fails (its `attempts`): each run is an attempt on
   * the call's record. @default 1
   */
  attempts?: number;
  /** BullMQ's wait between attempts: milliseconds, or `{ type: "fixed" | "exponential", delay }`. */
  backoff?: number | { type: "fixed" | "exponential"; delay: number };
  /**
   * The call fails with `NodeTimeoutError` after this long; its job is removed if still waiting,
   * else abandoned. @default no limit
   */
  timeoutMs?: number;
  /** How long connecting to Redis may take before the call fails with `RedisUnreachableError`. @default 5000 */
  connectTimeoutMs?: number;
  /**
   * Ask the worker for the calls it made and graft them under the call's record. Turn it off when
   * the worker's inputs and outputs must not reach the caller's records. @default true
   */
  remoteCalls?: boolean;
  /** What to record of each call (as a node's `record`). */
  record?: rt.RecordOptions;
  /** Attributes put on every call's record and span. */
  attributes?: Record<string, unknown>;
}

const OPTIONS = Object.keys({
  queue: true,
  connection: true,
  prefix: true,
  kind: true,
  description: true,
  params: true,
  attempts: true,
  backoff: true,
  timeoutMs: true,
  connectTimeoutMs: true,
  remoteCalls: true,
  record: true,
  attributes: true,
} satisfies Record<keyof RemoteNodeOptions, true>);

function shown(value: unknown): string {
  if (typeof value === "string") return `${JSON.stringify(value)} (string)`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return `${String(value)} (${typeof value})`;
}

function fail(where: string, what: string, value: unknown): never {
  throw new rt.InvalidOptionsError(`${where}: expected ${what}, got ${shown(value)}.`);
}

/** Checks a queue name (BullMQ refuses `:` in one) and the connection. */
export function checkQueueAndConnection(where: string, queue: unknown, connection: unknown): void {
  if (typeof queue !== "string" || queue === "" || queue.includes(":"))
    fail(where, "`queue` to be a non-empty queue name without `:`", queue);
  if (typeof connection !== "object" || connection === null)
    fail(
      where,
      "`connection` to be Redis connection options ({ host, port }) or an ioredis client",
      connection,
    );
}

export function checkPositiveInteger(where: string, key: string, value: unknown): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0))
    fail(where, `\`${key}\` to be a positive integer`, value);
}

export function checkRemoteNodeOptions(name: unknown, options: RemoteNodeOptions): void {
  if (typeof name !== "string" || name === "") fail("remoteNode", "a node name (a non-empty string)", name);
  const where = `remoteNode("${name}")`;
  if (typeof options !== "object" || options === null) fail(where, "options { queue, connection }", options);
  rt.checkOptionKeys(where, options, OPTIONS);
  checkQueueAndConnection(where, options.queue, options.connection);
  checkPositiveInteger(where, "attempts", options.attempts);
  checkPositiveInteger(where, "connectTimeoutMs", options.connectTimeoutMs);
  const backoff = options.backoff;
  if (
    backoff !== undefined &&
    !(typeof backoff === "number" && backoff >= 0) &&
    !(
      typeof backoff === "object" &&
      backoff !== null &&
      (backoff.type === "fixed" || backoff.type === "exponential") &&
      typeof backoff.delay === "number" &&
      backoff.delay >= 0
    )
  )
    fail(where, '`backoff` to be milliseconds or { type: "fixed" | "exponential", delay }', backoff);
  if (options.prefix !== undefined && (typeof options.prefix !== "string" || options.prefix === ""))
    fail(where, "`prefix` to be a non-empty string", options.prefix);
}
