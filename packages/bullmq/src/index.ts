/**
 * @runtrace/bullmq: calls that run on other machines through BullMQ on Redis, in one exact call
 * tree. `remoteNode` is a node whose calls are jobs; `startWorker` runs nodes for them wherever
 * Redis is reachable, and the calls made there join the caller's tree and trace.
 *
 * @example
 * ```ts
 * import { remoteNode, startWorker } from "@runtrace/bullmq";
 * const connection = { host: "127.0.0.1", port: 6379 };
 * // on the workers' machines:
 * const worker = await startWorker({ queue: "runtrace", connection, nodes: [summarizeNode] });
 * // where the work is called:
 * const summarize = remoteNode<[string], string>("summarize", { queue: "runtrace", connection });
 * await rt.call(summarize, text);
 * ```
 */
export {
  ATTR_REMOTE_ATTEMPT,
  ATTR_REMOTE_HOST,
  ATTR_REMOTE_JOB,
  ATTR_REMOTE_PID,
  ATTR_REMOTE_QUEUE,
} from "./attempts.js";
export { closeRemoteConnections } from "./caller-link.js";
export type { RedisConnection } from "./connection.js";
export type { RemoteErrorCode, WorkerError } from "./errors.js";
export {
  isRemoteError,
  RedisUnreachableError,
  RemoteArgumentError,
  RemoteCallError,
  RemoteError,
} from "./errors.js";
export { remoteNode } from "./remote-node.js";
export type { RemoteNodeOptions } from "./remote-node-options.js";
export type { RemoteWorker, StartWorkerOptions } from "./worker.js";
export { startWorker } from "./worker.js";
