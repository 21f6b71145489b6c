import { appendFileSync, mkdirSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ReadError } from "../errors.js";
import { warnOnce } from "../internal/logger.js";
import { readSessionFile } from "../recording/read-file.js";
import type { CallTree } from "../recording/tree.js";
import type { CallEvent, CallRecord } from "../recording/types.js";
import {
  attributesLine,
  callLine,
  endLine,
  eventLine,
  sessionEndLine,
  sessionLine,
} from "../recording/wire.js";
import type { SessionSummary, SessionWriter, Store } from "./store.js";
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

// Writers with lines not yet on disk. At exit, whatever is left is written synchronously, so even
// a script that calls process.exit() loses nothing.
const dirty = new Set<JsonlWriter>();
let exitHook = false;

function flushAll(): void {
  for (const writer of [...dirty]) writer.flush();
}

class JsonlWriter implements SessionWriter {
  readonly #store: FileSink;
  /**
   * The store this writer belongs to, held so that `rt.flush()` (which reaches stores through weak
   * references) still reaches it while this session can write.
   */
  readonly owner: Store;
  readonly #file: string;
  // Records not yet written (written whole if they have ended by then) and lines ready to go.
  #queue: Array<CallRecord | string> = [];
  // Records written as `start` whose end has not been written yet.
  readonly #open = new Set<CallRecord>();
  #scheduled = false;
  readonly #flush = () => this.flush();

  constructor(store: FileSink, owner: Store, tree: CallTree) {
    this.#store = store;
    this.owner = owner;
    this.#file = store.fileOf(tree.root.sessionId);
    const writer = tree.writer ?? { pid: process.pid, host: "" };
    this.#queue.push(sessionLine(tree.root, writer.pid, writer.host));
    this.#open.add(tree.root);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    dirty.add(this);
    setImmediate(this.#flush);
  }

  started(record: CallRecord): void {
    this.#queue.push(record);
    this.#schedule();
  }

  ended(record: CallRecord): void {
    if (!this.#open.delete(record)) return; // still queued: it will be written whole
    this.#queue.push(endLine(record));
    this.#schedule();
  }

  event(record: CallRecord, event: CallEvent): void {
    if (!this.#open.has(record)) return; // still queued: the event goes out with the record
    this.#queue.push(eventLine(record, event));
    this.#schedule();
  }

  attributes(record: CallRecord, changed: Record<string, unknown>): void {
    if (!this.#open.has(record)) return;
    this.#queue.push(attributesLine(record, changed));
    this.#schedule();
  }

  closed(root: CallRecord): void {
    this.#queue.push(sessionEndLine(root));
    this.flush();
  }

  /** Writes everything queued, synchronously (one append per batch). */
  flush(): void {
    this.#scheduled = false;
    dirty.delete(this);
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    let text = "";
    for (const item of queue) {
      if (typeof item === "string") {
        text += `${item}\n`;
      } else {
        text += `${callLine(item)}\n`;
        if (item.end === undefined) this.#open.add(item);
      }
    }
    this.#store.append(this.#file, text);
  }
}

interface FileSink {
  fileOf(id: string): string;
  append(file: string, text: string): void;
}

/**
 * The default store: one append-only JSON-lines file per session in `dir` (format: docs/format.md).
 * Lines are batched and appended once per event-loop turn; a crash loses at most that turn.
 * A directory it cannot write to is reported once through the logger; calls go on unrecorded on disk.
 *
 * @example
 * ```ts
 * rt.configure({ store: rt.jsonlStore({ dir: "./traces" }) });
 * ```
 */
export function jsonlStore(options: JsonlStoreOptions = {}): JsonlStore {
  const dir = resolve(options.dir ?? process.env.RUNTRACE_DIR ?? ".runtrace");
  let ready = false;
  let broken = false;
  const sink: FileSink = {
    fileOf(id) {
      if (!SAFE_ID.test(id)) {
        throw new ReadError(
          `"${id}" is not a session id: ids are letters, digits, ".", "_" and "-" (as in 20261122-173741-a1b2c3d4e5).`,
        );
      }
      return join(dir, `${id}.jsonl`);
    },
    append(file, text) {
      if (broken) return;
      try {
        if (!ready) {
          mkdirSync(dir, { recursive: true });
          ready = true;
        }
        appendFileSync(file, text);
      } catch (error) {
        broken = true;
        const code = (error as { code?: string }).code ?? "";
        warnOnce(
          `jsonl:${dir}`,
          `cannot write session files in ${dir} (${code || String(error)}); sessions are kept in memory only from now on. ` +
            `Fix the directory (permissions, free space), point RUNTRACE_DIR elsewhere, or set RUNTRACE_STORE=off.`,
        );
      }
    },
  };
  if (!exitHook) {
    exitHook = true;
    process.once("exit", flushAll);
  }
  const store: JsonlStore = {
    description: `jsonl:${dir}`,
    dir,
    fileOf: sink.fileOf,
    openSession(tree) {
      return new JsonlWriter(sink, store, tree);
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
      return readSessionFile(sink.fileOf(id));
    },
    async flush() {
      flushAll();
    },
  };
  return store;
}
