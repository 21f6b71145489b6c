import { resolve } from "node:path";
import { resolveStore } from "../config.js";
import { ReadError } from "../errors.js";
import type { CallTree } from "../recording/tree.js";
import { defaultSessionDir, isSessionPath } from "../session-file/ids.js";
import { readStoredSession } from "../session-file/place.js";
import { readSessionFile } from "../session-file/read-file.js";
import { type JsonlStore, jsonlStore } from "./jsonl.js";
import type { Store } from "./store.js";
import { flushStores } from "./used-stores.js";

/** Options of `rt.readSession`. */
export interface ReadSessionOptions {
  /**
   * Where to look for a session id.
   * @default the directory of the configured JSONL store (`rt.configure({ store })`), else
   * process.env.RUNTRACE_DIR or ".runtrace"
   */
  dir?: string;
}

function isJsonl(store: Store): store is JsonlStore {
  return typeof (store as Partial<JsonlStore>).fileOf === "function";
}

/**
 * Rebuilds a stored session's tree from its file, by path or by session id. An id is looked up
 * where sessions are stored: `dir` when given, else the configured store (its directory for a
 * JSONL store; a memory store is asked directly). A file cut off by a crash still reads: finished
 * calls are complete, unfinished ones `running`, the session `interrupted`. Rejects with
 * `ReadError` when there is no such session or it is not a runtrace file.
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
  if (isSessionPath(fileOrId)) return readSessionFile(resolve(fileOrId));
  if (options.dir !== undefined) return readStoredSession(jsonlStore({ dir: options.dir }).dir, fileOrId);
  const store = resolveStore();
  if (store === null) return readStoredSession(jsonlStore().dir, fileOrId);
  if (isJsonl(store)) return readStoredSession(store.dir, fileOrId);
  // Another kind of store (a memory store, or the application's own): it holds its sessions.
  try {
    return await store.readSession(fileOrId);
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw new ReadError(
      `rt.readSession("${fileOrId}") asked the configured store (${store.description}), which has no such session: ${problem} ` +
        `To read a session file instead, pass its path, or its directory: rt.readSession("${fileOrId}", { dir: ${JSON.stringify(defaultSessionDir().dir)} }).`,
      { cause: error },
    );
  }
}
