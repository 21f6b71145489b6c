/**
 * Where a call ran when it ran outside the caller's thread: a worker thread (`rt.workerNode` sets
 * `runtrace.worker.thread`) or another process's worker (`runtrace.remote.host`, `runtrace.remote.pid`,
 * set by job-queue workers). Pure, no DOM.
 */
import type { FlatCall } from "../../../src/shared/types.js";

function shown(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** "thread 3", "worker host-a pid 1234"; `undefined` for a call that ran where its caller did. */
export function ranIn(call: FlatCall): string | undefined {
  const attributes = call.attributes;
  if (attributes === null || typeof attributes !== "object") return undefined;
  const host = shown(attributes["runtrace.remote.host"]);
  const pid = shown(attributes["runtrace.remote.pid"]);
  if (host !== undefined || pid !== undefined)
    return ["worker", host, pid === undefined ? undefined : `pid ${pid}`].filter(Boolean).join(" ");
  const thread = shown(attributes["runtrace.worker.thread"]);
  return thread === undefined ? undefined : `thread ${thread}`;
}
