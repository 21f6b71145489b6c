import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ReadError } from "../errors.js";
import { readSessionFile } from "../recording/read-file.js";
import { DirSink, exitOutages } from "./jsonl-sink.js";
import { flushWriters, JsonlWriter } from "./jsonl-writer.js";
import type { SessionSummary, Store } from "./store.js";
import { byStartDescending, summarize, unreadableSummary } from "./summary.js";

/** Options of `rt.jsonlStore`. */
export interface JsonlStoreOptions {
  /** Where session files go. @default process.env.RUNTRACE_DIR or ".runtrace" */
  dir?: string;
}

/** A store of one append-only JSON-lines file per session. */
export interface JsonlStore extends Store {
  /** The absolute directory of the session files. */
  readonly dir: string;
  /** The file a session id is stored in. */
  fileOf(id: string): string;
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

let exitHook = false;

// One sink per directory, shared by every store writing there: one outage, one budget, one warning.
const sinks = new Map<string, DirSink>();

function flushAll(): void {
  flushWriters();
}

function atExit(): void {
  flushWriters();
  exitOutages();
}

/**
 * The default store: one append-only JSON-lines file per session in `dir` (format: docs/format.md).
 * A session's file is created with its header when the session starts; lines are batched and
 * written at the end of each event-loop turn, or at once when 64 KiB of them wait, so a crash
 * loses at most that much. A directory that stops taking writes (a full disk) is tried again after
 * a back-off while lines wait in memory (bounded); one that cannot be written at all (read-only,
 * permissions) is reported once. Either way, the program goes on and nothing is thrown.
 *
 * @example
 * ```ts
 * rt.configure({ store: rt.jsonlStore({ dir: "./traces" }) });
 * ```
 */
export function jsonlStore(options: JsonlStoreOptions = {}): JsonlStore {
  const dir = resolve(options.dir ?? process.env.RUNTRACE_DIR ?? ".runtrace");
  let sink = sinks.get(dir);
  if (sink === undefined) {
    sink = new DirSink(dir);
    sinks.set(dir, sink);
  }
  const dirSink = sink;
  const fileOf = (id: string): string => {
    if (!SAFE_ID.test(id)) {
      throw new ReadError(
        `"${id}" is not a session id: ids are letters, digits, ".", "_" and "-" (as in 20261122-173741-a1b2c3d4e5).`,
      );
    }
    return join(dir, `${id}.jsonl`);
  };
  if (!exitHook) {
    exitHook = true;
    process.once("exit", atExit);
  }
  const store: JsonlStore = {
    description: `jsonl:${dir}`,
    dir,
    fileOf,
    openSession(tree) {
      return new JsonlWriter(dirSink, fileOf(tree.root.sessionId), store, tree);
    },
    async listSessions(): Promise<SessionSummary[]> {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as { code?: string }).code === "ENOENT") return [];
        throw new ReadError(`Cannot list sessions in ${dir}: ${String(error)}`, { cause: error });
      }
      const summaries = await Promise.all(
        names
          .filter((name) => name.endsWith(".jsonl"))
          .map(async (name): Promise<SessionSummary> => {
            const file = join(dir, name);
            try {
              return summarize(await readSessionFile(file), file);
            } catch (error) {
              const id = name.slice(0, -".jsonl".length);
              const problem = error instanceof Error ? error.message : String(error);
              return unreadableSummary(id, file, problem);
            }
          }),
      );
      return summaries.sort(byStartDescending);
    },
    async readSession(id) {
      flushAll();
      return readSessionFile(fileOf(id));
    },
    async flush() {
      flushAll();
      // In an outage, try the directory again now rather than at the next back-off.
      dirSink.retry();
    },
  };
  return store;
}
