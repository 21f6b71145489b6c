/**
 * @runtrace/bullmq against a real redis-server, with workers in this process: errors, BullMQ's
 * attempts and backoff, timeouts, an unreachable Redis, arguments JSON cannot carry, an unknown node,
 * and the worker's spans in the caller's trace.
 */
import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import {
  closeRemoteConnections,
  isRemoteError,
  RedisUnreachableError,
  RemoteArgumentError,
  RemoteCallError,
  type RemoteWorker,
  remoteNode,
  startWorker,
} from "@runtrace/bullmq";
import * as rt from "@runtrace/core";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort, type RedisServer, startRedis } from "../helpers/redis-server.js";

let redis: RedisServer;
const workers: RemoteWorker[] = [];
const queues: Queue[] = [];
let queueNumber = 0;
/** A queue of its own for each test, so that no job of one test reaches another's worker. */
const newQueue = () => `focused-${++queueNumber}`;

beforeAll(async () => {
  rt.configure({ store: null });
  redis = await startRedis();
}, 60_000);

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.close()));
});

afterAll(async () => {
  await Promise.all(queues.map((queue) => queue.close()));
  await closeRemoteConnections();
  await redis?.stop();
}, 30_000);

async function worker(queue: string, nodes: rt.Node[]): Promise<void> {
  workers.push(await startWorker({ queue, connection: redis.connection, nodes }));
}

/** How many jobs the queue holds, in any state. */
async function jobsIn(name: string): Promise<number> {
  const queue = new Queue(name, { connection: redis.connection });
  queues.push(queue);
  const counts = await queue.getJobCounts();
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

async function inSession<T>(
  fn: () => Promise<T>,
): Promise<{ tree: rt.CallTree; result: PromiseSettledResult<T> }> {
  const session = new rt.Session({ name: "caller", store: rt.memoryStore() });
  const [result] = await Promise.allSettled([session.run(fn)]);
  return { tree: session.tree, result: result! };
}

const inner = rt.functionNode(async (text: string) => text.toUpperCase(), { name: "inner" });

describe("a remote call", () => {
  it("returns the worker's result, with the worker's calls under its record and where it ran", async () => {
    const queue = newQueue();
    const summarizeNode = rt.functionNode(async (text: string) => `${await rt.call(inner, text)}!`, {
      name: "summarize",
    });
    await worker(queue, [summarizeNode]);
    const summarize = remoteNode<[string], string>("summarize", { queue, connection: redis.connection });
    const { tree, result } = await inSession(() => rt.call(summarize, "hello"));
    expect(result).toEqual({ status: "fulfilled", value: "HELLO!" });
    const call = tree.root.children[0]!;
    expect(call).toMatchObject({ node: "summarize", status: "ok", output: "HELLO!", attempts: 1 });
    expect(call.attributes).toMatchObject({
      "runtrace.remote.pid": process.pid,
      "runtrace.remote.queue": queue,
      "runtrace.remote.host": expect.any(String),
    });
    expect(call.children.map((c) => [c.node, c.status, c.parentId])).toEqual([["summarize", "ok", call.id]]);
    const ran = call.children[0]!;
    expect(ran.children.map((c) => [c.node, c.status, c.output, c.parentId])).toEqual([
      ["inner", "ok", "HELLO", ran.id],
    ]);
  });

  it("fails with the worker's error message, recorded on the call and on the worker's record", async () => {
    const queue = newQueue();
    const summarizeNode = rt.functionNode(
      async (text: string) => {
        await rt.call(inner, text);
        throw new TypeError(`cannot summarize "${text}": too short`);
      },
      { name: "summarize" },
    );
    await worker(queue, [summarizeNode]);
    const summarize = remoteNode<[string], string>("summarize", { queue, connection: redis.connection });
    const { tree, result } = await inSession(() => rt.call(summarize, "hi"));
    expect(result.status).toBe("rejected");
    const error = (result as PromiseRejectedResult).reason as RemoteCallError;
    expect(error).toBeInstanceOf(RemoteCallError);
    expect(isRemoteError(error)).toBe(true);
    expect(error.message).toContain('cannot summarize "hi": too short');
    expect(error.remote).toMatchObject({ name: "TypeError", message: 'cannot summarize "hi": too short' });
    expect(error.attempts).toBe(1);
    const call = tree.root.children[0]!;
    expect(call.status).toBe("error");
    expect(call.error?.message).toContain("too short");
    const ran = call.children[0]!;
    expect(ran).toMatchObject({ node: "summarize", status: "error" });
    expect(ran.error).toMatchObject({ name: "TypeError", message: 'cannot summarize "hi": too short' });
    expect(ran.children.map((c) => c.node)).toEqual(["inner"]);
  });

  it("records BullMQ's attempts and backoff: each attempt under the call, a retry event for each failed one", async () => {
    const queue = newQueue();
    let runs = 0;
    const flakyNode = rt.functionNode(
      async (text: string) => {
        runs++;
        await rt.call(inner, text);
        if (runs < 3) throw new Error(`try ${runs} failed`);
        return `done after ${runs}`;
      },
      { name: "flaky" },
    );
    await worker(queue, [flakyNode]);
    const flaky = remoteNode<[string], string>("flaky", {
      queue,
      connection: redis.connection,
      attempts: 3,
      backoff: { type: "fixed", delay: 200 },
    });
    const { tree, result } = await inSession(() => rt.call(flaky, "x"));
    expect(result).toEqual({ status: "fulfilled", value: "done after 3" });
    const call = tree.root.children[0]!;
    expect(call.attempts).toBe(3);
    expect(call.children.map((c) => [c.status, c.attributes["runtrace.remote.attempt"]])).toEqual([
      ["error", 1],
      ["error", 2],
      ["ok", 3],
    ]);
    expect(call.children.map((c) => c.children.map((child) => child.node))).toEqual([
      ["inner"],
      ["inner"],
      ["inner"],
    ]);
    const retries = call.events.filter((event) => event.name === "retry");
    expect(retries.map((event) => (event.data as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(retries.map((event) => (event.data as { error: { message: string } }).error.message)).toEqual([
      "try 1 failed",
      "try 2 failed",
    ]);
    for (const event of retries)
      expect((event.data as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(150);
  });

  it("times out and removes its job when no worker took it", async () => {
    const queue = newQueue();
    const idle = remoteNode<[string], string>("summarize", {
      queue,
      connection: redis.connection,
      timeoutMs: 300,
    });
    const { tree, result } = await inSession(() => rt.call(idle, "nobody listens"));
    expect(result.status).toBe("rejected");
    expect(rt.isTimeoutError((result as PromiseRejectedResult).reason)).toBe(true);
    expect(tree.root.children[0]).toMatchObject({ status: "timeout", children: [] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await jobsIn(queue)).toBe(0);
  });

  it("times out while a worker runs the job: the job is abandoned and its late result ignored", async () => {
    const queue = newQueue();
    let finished = false;
    const slowNode = rt.functionNode(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 600));
        finished = true;
        return "late";
      },
      { name: "slow" },
    );
    await worker(queue, [slowNode]);
    const slow = remoteNode<[], string>("slow", { queue, connection: redis.connection, timeoutMs: 200 });
    const { tree, result } = await inSession(() => rt.call(slow));
    expect(rt.isTimeoutError((result as PromiseRejectedResult).reason)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(finished).toBe(true);
    expect(tree.root.children[0]).toMatchObject({ status: "timeout", children: [] });
  });

  it("is cancelled by its signal, and its job removed when no worker took it", async () => {
    const queue = newQueue();
    const idle = remoteNode<[string], string>("summarize", { queue, connection: redis.connection });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("the user left")), 200);
    const { tree, result } = await inSession(() => rt.callWith({ signal: controller.signal }, idle, "text"));
    expect(rt.isCancelledError((result as PromiseRejectedResult).reason)).toBe(true);
    expect(tree.root.children[0]).toMatchObject({ status: "cancelled", children: [] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await jobsIn(queue)).toBe(0);
  });

  it("takes an ioredis client as its connection, on both sides", async () => {
    const queue = newQueue();
    const client = new Redis(redis.connection);
    try {
      workers.push(await startWorker({ queue, connection: client, nodes: [inner] }));
      const shout = remoteNode<[string], string>("inner", { queue, connection: client });
      const { result } = await inSession(() => rt.call(shout, "quiet"));
      expect(result).toEqual({ status: "fulfilled", value: "QUIET" });
    } finally {
      await Promise.all(workers.splice(0).map((worker) => worker.close()));
      client.disconnect();
    }
  });

  it("keeps its connections while calls come, closes them after 2 s without one, and opens them again", async () => {
    const queue = newQueue();
    await worker(queue, [inner]);
    const shout = remoteNode<[string], string>("inner", { queue, connection: redis.connection });
    const admin = new Redis(redis.connection);
    // The caller's QueueEvents connection, by the name BullMQ gives it.
    const name = `name=bull:${Buffer.from(queue).toString("base64")}:qe `;
    const eventReaders = async () =>
      ((await admin.client("LIST")) as string)
        .split("\n")
        .filter((line) => line.includes(name))
        .map((line) => /id=(\d+)/.exec(line)?.[1]);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      const seen: unknown[][] = [];
      const { result } = await inSession(async () => {
        // Six calls half a second apart: three seconds, longer than the idle spell, never idle that long.
        for (let i = 0; i < 6; i++) {
          await rt.call(shout, "a");
          seen.push(await eventReaders());
          await pause(500);
        }
      });
      expect(result.status).toBe("fulfilled");
      expect(seen[0]).toHaveLength(1);
      expect(new Set(seen.flat())).toEqual(new Set(seen[0]));
      const lastCall = Date.now();
      while ((await eventReaders()).length > 0 && Date.now() - lastCall < 6_000) await pause(100);
      expect(await eventReaders()).toEqual([]);
      expect(Date.now() - lastCall).toBeGreaterThanOrEqual(1_000);
      const again = await inSession(() => rt.call(shout, "again"));
      expect(again.result).toEqual({ status: "fulfilled", value: "AGAIN" });
      expect(await eventReaders()).toHaveLength(1);
    } finally {
      admin.disconnect();
    }
  });

  it("fails once, at once, naming host:port when Redis is not reachable", async () => {
    const port = await freePort();
    const connection = { host: "127.0.0.1", port };
    const summarize = remoteNode<[string], string>("summarize", { queue: newQueue(), connection });
    const printed = [vi.spyOn(console, "error"), vi.spyOn(console, "warn")];
    const started = Date.now();
    const { result } = await inSession(() => rt.call(summarize, "text"));
    expect(Date.now() - started).toBeLessThan(3_000);
    // One error, to the caller: nothing printed for each try of the connection.
    for (const spy of printed) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
    const error = (result as PromiseRejectedResult).reason as RedisUnreachableError;
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect(error.address).toBe(`127.0.0.1:${port}`);
    // The reason is the socket's own, not ioredis' "Connection is closed." that follows it.
    expect(error.message).toContain(
      `Redis at 127.0.0.1:${port} is not reachable (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
    await expect(startWorker({ queue: "q", connection, nodes: [inner] })).rejects.toThrow(
      `Redis at 127.0.0.1:${port} is not reachable (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
  });

  it("names the real reason when a `{ url }` connection cannot reach Redis", async () => {
    const port = await freePort();
    const connection = { url: `redis://127.0.0.1:${port}` };
    const summarize = remoteNode<[string], string>("summarize", { queue: newQueue(), connection });
    const { result } = await inSession(() => rt.call(summarize, "text"));
    const error = (result as PromiseRejectedResult).reason as RedisUnreachableError;
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect(error.address).toBe(`127.0.0.1:${port}`);
    expect(error.message).toContain(
      `Redis at 127.0.0.1:${port} is not reachable (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    await expect(startWorker({ queue: "q", connection, nodes: [inner] })).rejects.toThrow(
      `(connect ECONNREFUSED 127.0.0.1:${port})`,
    );
  });

  it("refuses an argument JSON cannot carry, naming it, before anything is queued", async () => {
    const queue = newQueue();
    const summarize = remoteNode<[string, unknown], string>("summarize", {
      queue,
      connection: redis.connection,
    });
    const { result } = await inSession(() => rt.call(summarize, "text", { when: 10n }));
    const error = (result as PromiseRejectedResult).reason as RemoteArgumentError;
    expect(error).toBeInstanceOf(RemoteArgumentError);
    expect(error.message).toContain("argument 1");
    expect(error.message).toContain("args[1].when is a bigint");
    const withMap = await inSession(() => rt.call(summarize, "text", new Map()));
    expect(String((withMap.result as PromiseRejectedResult).reason)).toContain("args[1] is a Map");
    expect(await jobsIn(queue)).toBe(0);
  });

  it("fails at once, without retries, when the worker has no node of that name, listing the ones it has", async () => {
    const queue = newQueue();
    await worker(queue, [inner, rt.functionNode(async () => 1, { name: "count" })]);
    const missing = remoteNode<[], string>("summarise", { queue, connection: redis.connection, attempts: 3 });
    const { tree, result } = await inSession(() => rt.call(missing));
    const error = (result as PromiseRejectedResult).reason as RemoteCallError;
    expect(error).toBeInstanceOf(RemoteCallError);
    expect(error.message).toContain('No node named "summarise"');
    expect(error.message).toContain('it runs "inner", "count"');
    expect(error.remote.code).toBe("RUNTRACE_REMOTE_UNKNOWN_NODE");
    expect(tree.root.children[0]!.attempts).toBe(1);
  });
});

describe("a job on a worker's queue that no remote node added", () => {
  it("fails at once, without retries, saying what it holds and what a remote call is", async () => {
    const name = newQueue();
    await worker(name, [inner]);
    const queue = new Queue(name, { connection: redis.connection });
    const events = new QueueEvents(name, { connection: redis.connection });
    queues.push(queue);
    await events.waitUntilReady();
    try {
      for (const data of ["hello", { node: "inner", args: "abc" }]) {
        const job = await queue.add("by hand", data, { attempts: 3 });
        await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(
          /is not a runtrace remote call: expected data \{ v: 1, node: "<name>", args: \[\.\.\.\] \}.*got .*remoteNode\(name, \{ queue \}\) only/,
        );
        expect((await queue.getJob(job.id!))?.attemptsMade).toBe(1);
      }
    } finally {
      await events.close();
    }
  });
});

describe("a remote call whose job another kind of worker took", () => {
  it("fails saying that no runtrace worker sent its result, and which queue has another worker", async () => {
    const name = newQueue();
    const other = new Worker(name, async () => 42, { connection: redis.connection });
    try {
      await other.waitUntilReady();
      const remote = remoteNode<[string], string>("inner", { queue: name, connection: redis.connection });
      const { tree, result } = await inSession(() => rt.call(remote, "x"));
      const error = (result as PromiseRejectedResult).reason as RemoteCallError;
      expect(error).toBeInstanceOf(RemoteCallError);
      expect(error.message).toMatch(
        new RegExp(`got a result that no runtrace worker sends \\(42\\).*queue "${name}".*startWorker`),
      );
      expect(tree.root.children[0]!.status).toBe("error");
    } finally {
      await other.close();
    }
  });
});

describe("a traced remote call", () => {
  it("puts the worker's spans in the caller's trace, under the call's span", async () => {
    const memory = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    provider.register();
    try {
      const queue = newQueue();
      await worker(queue, [rt.functionNode(async (text: string) => rt.call(inner, text), { name: "shout" })]);
      const shout = remoteNode<[string], string>("shout", { queue, connection: redis.connection });
      const { tree } = await inSession(() => rt.call(shout, "abc"));
      const call = tree.root.children[0]!;
      expect(call.traceId).toMatch(/^[0-9a-f]{32}$/);
      const ran = call.children[0]!;
      expect(ran.traceId).toBe(call.traceId);
      expect(ran.children[0]!.traceId).toBe(call.traceId);
      await provider.forceFlush();
      const spans = memory.getFinishedSpans();
      const workerRoot = spans.find((span) => span.name.includes(`${queue} shout`));
      expect(workerRoot?.spanContext().traceId).toBe(call.traceId);
      expect(workerRoot?.parentSpanContext?.spanId).toBe(call.spanId);
    } finally {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    }
  });
});
