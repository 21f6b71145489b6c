import { isAbsolute, resolve } from "node:path";
import { jsonlStore } from "../stores/jsonl.js";
import { flushStores } from "../stores/registry.js";
import { readSessionFile } from "./read-file.js";
import type { CallTree } from "./tree.js";

/** Options of `rt.readSession`. */
export interface ReadSessionOptions {
  /** Where to look for a session id. @default process.env.RUNTRACE_DIR or ".runtrace" */
  dir?: string;
}

/**
 * Rebuilds a stored session's tree from its file, by path or by session id. A file cut off by a
 * crash still reads: finished calls are complete, unfinished ones `running`, the session
 * `interrupted`. Rejects with `ReadError` when there is no such session or it is not a runtrace file.
 *
 * @example
 * ```ts
 * const tree = await rt.readSession("20261122-173741-a1b2c3d4e5");
 * console.log(rt.formatTree(tree));
 * ```
 */
export async function readSession(fileOrId: string, options: ReadSessionOptions = {}): Promise<CallTree> {
  // Whatever this process recorded so far must be on disk before it is read back.
  await flushStores();
  const isPath =
    fileOrId.endsWith(".jsonl") || fileOrId.includes("/") || fileOrId.includes("\\") || isAbsolute(fileOrId);
  if (isPath) return readSessionFile(resolve(fileOrId));
  return readSessionFile(jsonlStore({ dir: options.dir }).fileOf(fileOrId));
}
