/**
 * Remote calls through BullMQ (`@runtrace/bullmq`) against raw BullMQ doing the same work: a job
 * added with `Queue.add`, run by a `Worker` whose processor is the same trivial function, and its
 * end heard through one shared `QueueEvents`. Both run against a redis-server of the benchmark's
 * own, with their workers in one other process (as workers run elsewhere), interleaved sample by
 * sample: one call at a time (the latency of a call), and 50 at once (calls per second).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { closeRemoteConnections, remoteNode } from "@runtrace/bullmq";
import * as rt from "@runtrace/core";
import { Queue, QueueEvents } from "bullmq";
import { startRedis } from "./bullmq/redis-server.js";
import { CONCURRENCY, RAW_QUEUE, RT_QUEUE } from "./bullmq/shared.js";
import { type BenchResult, median, withRatio } from "./lib.js";

const SEQUENTIAL = 300;
const CONCURRENT_CALLS = 2_000;
const SAMPLES = 7;

/** Starts the workers' process; resolves once it takes jobs. */
async function startWorkers(port: number): Promise<() => Promise<void>> {
  const script = fileURLToPath(new URL("./bullmq/worker.js", import.meta.url));
  const child = spawn(process.execPath, [script, String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the bullmq benchmark's workers exited (${code})`)));
  });
  return () =>
    new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
}

/** Microseconds per call of `call`, `total` calls with `parallel` at once. */
async function usPerCall(
  total: number,
  parallel: number,
  call: (n: number) => Promise<number>,
): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < total) {
        const n = next++;
        if ((await call(n)) !== n * 2) throw new Error("wrong result");
      }
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1_000 / total;
}

export default async function bench(): Promise<BenchResult> {
  const redis = await startRedis();
  const connection = { host: "127.0.0.1", port: redis.port };
  try {
    const stopWorkers = await startWorkers(redis.port);
    // Raw BullMQ.
    const rawQueue = new Queue(RAW_QUEUE, { connection });
    // From the stream's start (this Redis is new): by default a QueueEvents hears only what comes
    // after its first read, which can come after the first job has ended, and that call would wait
    // for ever. (runtrace's link reads the stream's last id before it adds anything, for the same reason.)
    const rawEvents = new QueueEvents(RAW_QUEUE, { connection, lastEventId: "0-0" });
    await Promise.all([rawQueue.waitUntilReady(), rawEvents.waitUntilReady()]);
    // The leanest way to hear a job end: listen by job id before adding it (`waitUntilFinished`
    // costs a read more, and fails when a removed job is gone before it looks).
    const waiting = new Map<string, (value: number) => void>();
    rawEvents.on("completed", ({ jobId, returnvalue }) =>
      waiting.get(jobId)?.(returnvalue as unknown as number),
    );
    let ids = 0;
    const raw = async (n: number): Promise<number> => {
      const jobId = `raw-${++ids}`;
      const done = new Promise<number>((resolve) => waiting.set(jobId, resolve));
      await rawQueue.add("double", { n }, { jobId, removeOnComplete: true, removeOnFail: true });
      const value = await done;
      waiting.delete(jobId);
      return value;
    };

    // runtrace: a remote node for the same function, calls in a session.
    const remote = remoteNode<[number], number>("double", { queue: RT_QUEUE, connection });
    const traced = (n: number) => rt.call(remote, n);
    // Each sample's calls in a session of their own, which stores nothing.
    const inSession = (run: () => Promise<number>) => rt.session({ name: "bench-bullmq", store: null }, run);

    const samples = {
      rawOne: [] as number[],
      rtOne: [] as number[],
      rawMany: [] as number[],
      rtMany: [] as number[],
    };
    for (let round = 0; round <= SAMPLES; round++) {
      const rawOne = await usPerCall(SEQUENTIAL, 1, raw);
      const rtOne = await inSession(() => usPerCall(SEQUENTIAL, 1, traced));
      const rawMany = await usPerCall(CONCURRENT_CALLS, CONCURRENCY, raw);
      const rtMany = await inSession(() => usPerCall(CONCURRENT_CALLS, CONCURRENCY, traced));
      if (round === 0) continue;
      samples.rawOne.push(rawOne);
      samples.rtOne.push(rtOne);
      samples.rawMany.push(rawMany);
      samples.rtMany.push(rtMany);
    }
    await stopWorkers();
    await Promise.all([rawQueue.close(), rawEvents.close(), closeRemoteConnections()]);

    const one = median(samples.rawOne);
    const many = median(samples.rawMany);
    const perSecond = (us: number) => 1_000_000 / us;
    return {
      title: `bullmq: remote calls against raw BullMQ add + process (workers in another process, concurrency ${CONCURRENCY})`,
      rows: [
        withRatio({ name: "raw BullMQ, one call at a time", value: one, unit: "µs/call" }, one),
        withRatio(
          { name: "rt.call(remoteNode), one call at a time", value: median(samples.rtOne), unit: "µs/call" },
          one,
          1.2,
          "≤ 1.2x",
        ),
        withRatio({ name: `raw BullMQ, ${CONCURRENCY} at once`, value: many, unit: "µs/call" }, many),
        withRatio(
          {
            name: `rt.call(remoteNode), ${CONCURRENCY} at once`,
            value: median(samples.rtMany),
            unit: "µs/call",
          },
          many,
          1.2,
          "≤ 1.2x",
        ),
        { name: `raw BullMQ, ${CONCURRENCY} at once`, value: perSecond(many), unit: "calls/s" },
        {
          name: `rt.call(remoteNode), ${CONCURRENCY} at once`,
          value: perSecond(median(samples.rtMany)),
          unit: "calls/s",
        },
      ],
      notes: [
        `${SAMPLES} interleaved samples per variant, median: ${SEQUENTIAL} calls one after another, ${CONCURRENT_CALLS.toLocaleString("en-US")} calls ${CONCURRENCY} at once.`,
        "runtrace's calls are recorded (the worker's calls grafted under each); the session stores nothing.",
      ],
    };
  } finally {
    await redis.stop();
  }
}
