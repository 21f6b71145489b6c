/**
 * The worker process of the bullmq benchmark: a raw BullMQ Worker and a runtrace `startWorker`
 * running the same function, each on its own queue. Argument: the redis-server's port. Prints
 * "ready" once both take jobs; exits on SIGTERM.
 */
import { startWorker } from "@runtrace/bullmq";
import * as rt from "@runtrace/core";
import { Worker } from "bullmq";
import { CONCURRENCY, double, RAW_QUEUE, RT_QUEUE } from "./shared.js";

rt.configure({ store: null });
const connection = { host: "127.0.0.1", port: Number(process.argv[2]) };
const raw = new Worker(RAW_QUEUE, async (job) => double(job.data.n as number), {
  connection,
  concurrency: CONCURRENCY,
});
const traced = await startWorker({
  queue: RT_QUEUE,
  connection,
  nodes: [rt.functionNode(double, { name: "double" })],
  concurrency: CONCURRENCY,
});
await raw.waitUntilReady();
process.stdout.write("ready\n");
process.once("SIGTERM", async () => {
  await Promise.all([raw.close(), traced.close()]);
  process.exit(0);
});
