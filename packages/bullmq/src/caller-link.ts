import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { blockingOf, connect, connectionKey, type RedisConnection } from "./connection.js";
import { warnOnce } from "./warn.js";

/**
 * What the callers of one queue on one Redis share: a Queue to add jobs (on our own connected
 * client), one QueueEvents that hears every job of the queue finish, and that client for the
 * attempt reports. Made on the first call, closed when no call has waited for a while (its blocking
 * connection would keep the process alive), made again on the next call.
 */

/** How a job ended, as its queue's events tell. */
export type JobEnd = { ok: true; value: unknown } | { ok: false; reason: string };

/** Waiting for one job's end: `ended` resolves with it, or with `undefined` once `forget` is called. */
export interface JobWait {
  readonly ended: Promise<JobEnd | undefined>;
  /** Stops waiting (the caller gave up, or the job could not be added): `ended` resolves `undefined`. */
  forget(): void;
}

type Settle = (end: JobEnd | undefined) => void;

/** How long a link stays open with no call waiting. */
const IDLE_CLOSE_MS = 2_000;

export class CallerLink {
  readonly queue: Queue;
  readonly redis: Redis;
  readonly #events: QueueEvents;
  readonly #waiters = new Map<string, Settle>();
  #idleTimer: NodeJS.Timeout | undefined;
  /** When the last waiting call ended (epoch ms). */
  #idleSince = 0;
  #onIdle: () => void;
  #closed = false;

  constructor(queue: Queue, events: QueueEvents, redis: Redis, onIdle: () => void) {
    this.queue = queue;
    this.#events = events;
    this.redis = redis;
    this.#onIdle = onIdle;
    events.on("completed", ({ jobId, returnvalue }) => this.#settle(jobId, { ok: true, value: returnvalue }));
    events.on("failed", ({ jobId, failedReason }) =>
      this.#settle(jobId, { ok: false, reason: failedReason }),
    );
  }

  /** False once closed (idle for a while): the next call opens a new link. */
  get open(): boolean {
    return !this.#closed;
  }

  /**
   * Waits for job `jobId` to end. Call it before adding the job, so that no end can come first.
   * One promise per call, which never rejects: giving up settles it too, so nothing is left to race.
   */
  wait(jobId: string): JobWait {
    let settle!: Settle;
    const ended = new Promise<JobEnd | undefined>((resolve) => {
      settle = resolve;
    });
    this.#waiters.set(jobId, settle);
    return { ended, forget: () => this.#settle(jobId, undefined) };
  }

  #settle(jobId: string, end: JobEnd | undefined): void {
    const settle = this.#waiters.get(jobId);
    if (settle === undefined) return;
    this.#waiters.delete(jobId);
    if (this.#waiters.size === 0) this.#whenIdle();
    settle(end);
  }

  // One timer for the link, not one per call: calls one after another would each set one and the
  // next clear it. It looks again when it fires, and closes the link only after a whole idle spell.
  #whenIdle(): void {
    this.#idleSince = Date.now();
    if (this.#idleTimer === undefined) this.#closeIn(IDLE_CLOSE_MS);
  }

  #closeIn(ms: number): void {
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#waiters.size > 0) return;
      const left = this.#idleSince + IDLE_CLOSE_MS - Date.now();
      if (left > 0) this.#closeIn(left);
      else this.#onIdle();
    }, ms);
    this.#idleTimer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    await Promise.allSettled([this.queue.close(), this.#events.close()]);
    this.redis.disconnect();
  }
}

export interface LinkOptions {
  queue: string;
  connection: RedisConnection;
  prefix: string;
  connectTimeoutMs: number;
}

const links = new Map<string, Promise<CallerLink>>();

/** The link of a queue on a connection: the one open, or a new one (`RedisUnreachableError` if Redis does not answer). */
export function linkFor(options: LinkOptions): Promise<CallerLink> {
  const key = `${options.prefix}\u0000${options.queue}\u0000${connectionKey(options.connection)}`;
  let link = links.get(key);
  if (link === undefined) {
    link = openLink(options, () => {
      if (links.get(key) === link) links.delete(key);
    });
    links.set(key, link);
    // A link that could not open is not kept: the next call tries again.
    link.catch(() => {
      if (links.get(key) === link) links.delete(key);
    });
  }
  return link;
}

async function openLink(options: LinkOptions, unlist: () => void): Promise<CallerLink> {
  const { queue: name, connection, prefix, connectTimeoutMs } = options;
  const redis = await connect(connection, connectTimeoutMs, `remote calls on queue "${name}"`);
  try {
    // Hear only what happens from now on: the stream's last id, read before any job is added.
    const last = await redis.xrevrange(`${prefix}:${name}:events`, "+", "-", "COUNT", 1);
    const lastEventId = last[0]?.[0] ?? "0-0";
    const queue = new Queue(name, { connection: redis, prefix });
    const events = new QueueEvents(name, { connection: blockingOf(connection), prefix, lastEventId });
    const warn = (error: Error) => warnOnce(`queue:${name}`, `BullMQ queue "${name}": ${error.message}`);
    queue.on("error", warn);
    events.on("error", warn);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const link = new CallerLink(queue, events, redis, () => {
      unlist();
      void link.close();
    });
    return link;
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}

/**
 * Closes the connections that remote nodes opened (they close by themselves after a moment with no
 * call waiting). Calls still waiting are not settled by it: let them end first.
 */
export async function closeRemoteConnections(): Promise<void> {
  const open = [...links.values()];
  links.clear();
  await Promise.allSettled(open.map(async (link) => (await link).close()));
}
