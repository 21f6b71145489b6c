import type { ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { RedisUnreachableError } from "./errors.js";

/**
 * Reaching Redis. BullMQ (through ioredis) retries a connection forever by default, so a wrong
 * address would make a call wait for ever. Before any queue or worker is made, one client of our
 * own connects with no retries and a deadline: an unreachable Redis is one clear error, at once.
 * That client then stays, with ioredis' usual reconnecting, for runtrace's own keys.
 */

/** A Redis connection as BullMQ takes it: options (`{ host, port }`, `{ url }`) or an ioredis client. */
export type RedisConnection = ConnectionOptions;

/** How long connecting to Redis may take before a call or a worker gives up. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

function isClient(connection: RedisConnection): connection is Redis {
  return (
    connection instanceof Redis || typeof (connection as { duplicate?: unknown }).duplicate === "function"
  );
}

function optionsOf(connection: RedisConnection): RedisOptions & { url?: string } {
  return (isClient(connection) ? connection.options : connection) as RedisOptions & { url?: string };
}

/** `host:port` of a connection, for messages (`unix socket /path` for a socket). */
export function addressOf(connection: RedisConnection): string {
  const options = optionsOf(connection);
  if (typeof options.url === "string") {
    try {
      const url = new URL(options.url);
      return `${url.hostname || "127.0.0.1"}:${url.port || "6379"}`;
    } catch {
      return options.url;
    }
  }
  if (typeof options.path === "string") return `unix socket ${options.path}`;
  return `${options.host ?? "127.0.0.1"}:${options.port ?? 6379}`;
}

/** What identifies a connection in the caches of shared clients: its address, database and user. */
export function connectionKey(connection: RedisConnection): string {
  const options = optionsOf(connection);
  return `${addressOf(connection)}/${options.db ?? 0}/${options.username ?? ""}`;
}

/**
 * A client of our own on the connection's Redis, connected, or `RedisUnreachableError` naming the
 * address after `timeoutMs` at most. `blocking` clients (a queue's events, a worker) wait for
 * commands through reconnections, as BullMQ requires of them.
 */
export async function connect(connection: RedisConnection, timeoutMs: number, what: string): Promise<Redis> {
  const options = optionsOf(connection);
  const { url, ...rest } = options;
  const probing: RedisOptions = {
    ...rest,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  };
  const client = typeof url === "string" ? new Redis(url, probing) : new Redis(probing);
  // Each failed try is an 'error' event: without a listener ioredis prints every one of them.
  let lastError: unknown;
  client.on("error", (error) => {
    lastError = error;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    client.disconnect();
    const address = addressOf(connection);
    // `connect()` rejects with ioredis' own "Connection is closed." once the socket has closed; why
    // it closed (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, a refused password) came first, as an 'error'.
    const cause = lastError ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new RedisUnreachableError(
      address,
      `Redis at ${address} is not reachable (${reason}), so ${what} cannot start. ` +
        "Start Redis there, or pass the `connection` ({ host, port }) of one that runs.",
      cause,
    );
  } finally {
    clearTimeout(timer);
  }
  // Connected: from now on, ride out a Redis restart like any ioredis client.
  client.options.retryStrategy = (times: number) => Math.min(times * 200, 2_000);
  client.options.maxRetriesPerRequest = 20;
  client.options.enableOfflineQueue = true;
  return client;
}

/**
 * The connection of a blocking client (a queue's events, a worker): options, from which BullMQ makes
 * a client of its own and closes it with the queue or worker. A client given is not used itself, nor
 * duplicated (BullMQ would not close a duplicate): its options are.
 */
export function blockingOf(connection: RedisConnection): RedisConnection {
  if (!isClient(connection)) return connection;
  return { ...connection.options, maxRetriesPerRequest: null } as RedisConnection;
}
