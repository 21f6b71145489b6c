import { now } from "../internal/clock.js";
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
import { type DirSink, register, type SessionFile } from "./jsonl-sink.js";
import type { SessionWriter, Store } from "./store.js";

/**
 * When the lines waiting to be written reach this many characters, they are written at once, in
 * the middle of the event-loop turn: a program whose calls never yield (every await settles in a
 * microtask) still has its calls on disk as they finish. docs/format.md states the bound.
 */
export const FLUSH_CHARS = 64 * 1024;
/** Calls started and still running that wait to be written at most (each becomes a `start` line). */
export const FLUSH_CALLS = 4096;
/** Lines wait at most this long when calls keep ending within one long event-loop turn. */
export const FLUSH_AGE_MS = 1000;

// Writers with lines not yet on disk. At exit, whatever is left is written synchronously, so even
// a script that calls process.exit() loses nothing.
const dirty = new Set<JsonlWriter>();

/** Writes every writer's pending lines now. */
export function flushWriters(): void {
  for (const writer of [...dirty]) writer.flush();
}

/**
 * One session's JSONL file. The file is created, with its header, when the session starts. Lines
 * are batched: written at the end of the event-loop turn, or as soon as `FLUSH_CHARS` of them wait.
 * A call that starts and ends within one batch is written whole, as one `call` line.
 */
export class JsonlWriter implements SessionWriter {
  /**
   * The store this writer belongs to, held so that `rt.flush()` (which reaches stores through weak
   * references) still reaches it while this session can write.
   */
  readonly owner: Store;
  readonly #sink: DirSink;
  readonly #file: SessionFile;
  // In start order: calls not yet written (a record while it runs, its `call` line once it ended
  // as the newest item) and lines of calls already written.
  #queue: Array<CallRecord | string> = [];
  // `call` lines of queued calls that ended while not the newest item, until the batch goes out.
  #whole: Map<CallRecord, string> | undefined;
  #chars = 0;
  #running = 0;
  #calls = 0;
  #final: string | undefined;
  // Calls written as `start` whose end has not been written yet.
  readonly #open = new Set<CallRecord>();
  // Calls whose lines were dropped (a full disk): nothing about them or their children is written.
  #dropped: WeakSet<CallRecord> | undefined;
  #dirty = false;
  #scheduled = false;
  #since = 0;
  readonly #onTurn = () => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(sink: DirSink, path: string, owner: Store, tree: CallTree) {
    this.#sink = sink;
    this.owner = owner;
    const writer = tree.writer ?? { pid: process.pid, host: "" };
    this.#file = sink.open(path, tree.root.sessionId, sessionLine(tree.root, writer.pid, writer.host));
    register(this, this.#file);
    this.#open.add(tree.root);
  }

  #touch(): void {
    if (this.#dirty) return;
    this.#dirty = true;
    dirty.add(this);
    this.#since = now();
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#onTurn);
    }
  }

  #line(line: string): void {
    this.#queue.push(line);
    this.#chars += line.length + 1;
    this.#touch();
    if (this.#chars >= FLUSH_CHARS) this.flush();
  }

  started(record: CallRecord, parent: CallRecord): void {
    if (this.#dropped?.has(parent)) {
      this.#dropped.add(record);
      return;
    }
    this.#queue.push(record);
    this.#calls++;
    this.#touch();
    if (++this.#running >= FLUSH_CALLS) this.flush();
  }

  ended(record: CallRecord): void {
    if (this.#open.delete(record)) {
      this.#calls++;
      this.#line(endLine(record));
    } else {
      if (this.#dropped?.has(record)) return;
      // Still queued: made into its `call` line now, so the batch's size is known.
      const line = callLine(record);
      const queue = this.#queue;
      const last = queue.length - 1;
      if (queue[last] === record) {
        queue[last] = line;
      } else {
        this.#whole ??= new Map();
        this.#whole.set(record, line);
      }
      this.#running--;
      this.#chars += line.length + 1;
      if (this.#chars >= FLUSH_CHARS) {
        this.flush();
        return;
      }
    }
    if (this.#dirty && record.end! - this.#since > FLUSH_AGE_MS) this.flush();
  }

  event(record: CallRecord, event: CallEvent): void {
    // A call still queued and running carries its events in its line.
    if (!this.#open.has(record) && (record.end === undefined || this.#dropped?.has(record))) return;
    this.#line(eventLine(record, event));
  }

  attributes(record: CallRecord, changed: Record<string, unknown>): void {
    if (!this.#open.has(record) && (record.end === undefined || this.#dropped?.has(record))) return;
    this.#line(attributesLine(record, changed));
  }

  closed(root: CallRecord): void {
    this.#final = `${sessionEndLine(root)}\n`;
    this.#touch();
    this.flush();
    this.#sink.finish(this.#file);
  }

  /** Writes everything queued, synchronously (one write per batch). */
  flush(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    dirty.delete(this);
    const queue = this.#queue;
    const whole = this.#whole;
    const calls = this.#calls;
    const final = this.#final;
    this.#queue = [];
    this.#whole = undefined;
    this.#chars = this.#running = this.#calls = 0;
    this.#final = undefined;
    if (this.#file.gone) {
      // Nothing of this session can be written (see DirSink): only count what is lost.
      this.#sink.append(this.#file, "", queue.length, calls);
      return;
    }
    let text = "";
    for (const item of queue) {
      if (typeof item === "string") {
        text += `${item}\n`;
      } else if (item.end === undefined) {
        text += `${callLine(item)}\n`;
        this.#open.add(item);
      } else {
        text += `${whole?.get(item) ?? callLine(item)}\n`;
      }
    }
    if (!this.#sink.append(this.#file, text, queue.length, calls, final)) this.#forget(queue);
  }

  // The batch was dropped: later lines must not name its calls (their ends, events, children).
  #forget(queue: Array<CallRecord | string>): void {
    this.#dropped ??= new WeakSet();
    const dropped = this.#dropped;
    for (const item of queue) {
      if (typeof item === "string") continue;
      dropped.add(item);
      this.#open.delete(item);
    }
  }
}
