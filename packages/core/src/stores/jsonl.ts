import { resolve } from "node:path";
import { keepOnce } from "../internal/kept.js";
import { DirWriter, exitOutages } from "../session-file/dir-writer.js";
import { defaultSessionDir, sessionFileOf } from "../session-file/ids.js";
import { listSessionFiles } from "../session-file/list.js";
import { readStoredSession } from "../session-file/place.js";
import { flushWriters, keptWriter, SessionFileWriter } from "../session-file/session-writer.js";
import type { SessionSummary } from "../session-file/summary.js";
import type { Store } from "./store.js";

/** Options of `rt.jsonlStore`. */
export interface JsonlStoreOptions {
  /** Where session files go. @default process.env.RUNTRACE_DIR or ".runtrace" */
  dir?: string;
}

/** A store of one append-only JSON-lines file per session. */
export interface JsonlStore extends Store {
  /** The absolute directory of the session files. */
  readonly dir: string;
  /**
   * The file of its own a session id has. A session of a process that recorded many may be in a
   * segment file instead (docs/format.md): `rt.findSession(dir, id)` says where any session is.
   */
  fileOf(id: string): string;
}

let exitHook = false;

// One writer per directory, shared by every store writing there: one outage, one budget, one warning.
const dirWriters = new Map<string, DirWriter>();

function flushAll(): void {
  flushWriters();
}

function atExit(): void {
  flushWriters();
  exitOutages();
}

/**
 * The default store: one append-only JSON-lines file per session in `dir` (format: docs/format.md);
 * once a process has made 64 session files there (a server with a session per request), its new
 * sessions are appended to a shared segment file with an index instead.
 * A session's file is created with its header at the end of the event-loop turn the session
 * starts in (with its first lines); lines are batched and written at the end of each event-loop
 * turn, or at once when 64 KiB of them wait, so a crash loses at most that much. A directory that
 * stops taking writes (a full disk) is tried again after a back-off while lines wait in memory
 * (bounded); one that cannot be written at all (read-only, permissions) is reported once. Either way, the program goes on and nothing is thrown.
 *
 * @example
 * ```ts
 * rt.configure({ store: rt.jsonlStore({ dir: "./traces" }) });
 * ```
 */
export function jsonlStore(options: JsonlStoreOptions = {}): JsonlStore {
  const dir = resolve(options.dir ?? defaultSessionDir().dir);
  let writer = dirWriters.get(dir);
  if (writer === undefined) {
    writer = new DirWriter(dir);
    dirWriters.set(dir, writer);
  }
  const dirWriter = writer;
  keepOnce("jsonl writer", () => keptWriter(dirWriter));
  const fileOf = (id: string): string => sessionFileOf(dir, id);
  if (!exitHook) {
    exitHook = true;
    process.once("exit", atExit);
  }
  const store: JsonlStore = {
    description: `jsonl:${dir}`,
    dir,
    fileOf,
    openSession(tree) {
      return new SessionFileWriter(dirWriter, fileOf(tree.root.sessionId), store, tree);
    },
    listSessions(): Promise<SessionSummary[]> {
      return listSessionFiles(dir);
    },
    async readSession(id) {
      flushAll();
      return readStoredSession(dir, id);
    },
    async flush() {
      flushAll();
      // In an outage, try the directory again now rather than at the next back-off.
      dirWriter.retry();
    },
  };
  return store;
}
