import { keptRecord } from "../recording/record.js";
import type { SessionSink } from "../recording/sink.js";
import { failed } from "../recording/status.js";
import { CallTree } from "../recording/tree.js";
import type { CallEvent, CallRecord } from "../recording/types.js";
import type { DirWriter } from "./dir-writer.js";
import {
  attributesLine,
  callLine,
  endLine,
  eventLine,
  headerOf,
  moveLine,
  type SessionHeader,
  sessionEndLine,
  sessionLine,
} from "./lines.js";
import type { SessionFile } from "./open-files.js";
import { flushSegments } from "./segment-writer.js";
import type { FirstBlockSummary } from "./segments.js";

/**
 * When the lines waiting to be written reach this many characters, they are written at once, in
 * the middle of the event-loop turn: a program whose calls never yield (every await settles in a
 * microtask) still has its calls on disk as they finish. docs/format.md states the bound.
 */
export const FLUSH_CHARS = 64 * 1024;
/**
 * Finished calls are made into lines (and so counted against `FLUSH_CHARS`) this many at a time:
 * one loop over the batch costs less than a line made at each call's end.
 */
export const MEASURE_CALLS = 256;
/** Calls started and still running that wait to be written at most (each becomes a `start` line). */
export const FLUSH_CALLS = 4096;

// Writers with lines not yet on disk. At exit, whatever is left is written synchronously, so even
// a script that calls process.exit() loses nothing.
const dirty = new Set<SessionFileWriter>();

/**
 * Writes every writer's pending lines now, the blocks gathered for segment files too; `all`: their
 * index lines as well (see `SegmentWriter`), as `rt.flush()`, a read and the process's exit need.
 */
export function flushWriters(all = true): void {
  for (const writer of [...dirty]) writer.flush();
  flushSegments(all);
}

// One end-of-turn write for every writer with lines waiting, not one `setImmediate` per session:
// a program running thousands of short sessions in a turn schedules one.
let turnScheduled = false;
function atTurnEnd(): void {
  turnScheduled = false;
  flushWriters(false);
}
function writeAtTurnEnd(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  setImmediate(atTurnEnd);
}

/**
 * One session's JSONL file. The file is created, with its header, by the first write: at the end
 * of the event-loop turn the session starts in, or sooner when `FLUSH_CHARS` of lines wait. A
 * session that starts and ends within one turn is thus one create, one write and one close. Lines
 * are batched: written at the end of the event-loop turn, or as soon as `FLUSH_CHARS` of them wait.
 * A call that starts and ends within one batch is written whole, as one `call` line.
 */
export class SessionFileWriter implements SessionSink {
  /**
   * The store this writer belongs to, held so that `rt.flush()` (which reaches stores through weak
   * references) still reaches it while this session can write.
   */
  readonly owner: object;
  readonly #sink: DirWriter;
  readonly #file: SessionFile;
  readonly #root: CallRecord;
  // What the header said of the root: a root that changed since (a trace's, once its root span
  // came) restates it at its end.
  readonly #header: SessionHeader;
  // In start order: calls not yet written (their records; a finished one's `call` line once made)
  // and lines of calls already written.
  #queue: Array<CallRecord | string> = [];
  // Where the queue's oldest record not yet made into a line may be.
  #unmade = 0;
  // Calls of this batch already made into lines (to forget them if the batch is dropped).
  #made: CallRecord[] = [];
  // Characters of the lines made so far, finished calls not yet made into lines, calls running.
  #chars = 0;
  #finished = 0;
  #running = 0;
  #calls = 0;
  /** Calls that failed, for the summary a segment's index keeps of the session (see `DirWriter.append`). */
  #failures = 0;
  #final: string | undefined;
  // Calls written as `start` whose end has not been written yet (made at the first such call).
  #open: Set<CallRecord> | undefined;
  // Calls whose lines were dropped (a full disk): nothing about them or their children is written.
  #dropped: WeakSet<CallRecord> | undefined;
  #dirty = false;

  constructor(sink: DirWriter, path: string, owner: object, tree: CallTree) {
    this.#sink = sink;
    this.owner = owner;
    const writer = tree.writer ?? { pid: process.pid, host: "" };
    this.#file = sink.open(path, tree.root.sessionId, sessionLine(tree.root, writer.pid, writer.host));
    this.#header = headerOf(tree.root);
    this.#root = tree.root;
    // The header goes out with the first batch, at the latest at the end of this turn.
    this.#touch();
  }

  #touch(): void {
    this.#dirty = true;
    dirty.add(this);
    writeAtTurnEnd();
  }

  #line(line: string): void {
    this.#queue.push(line);
    this.#chars += line.length + 1;
    if (!this.#dirty) this.#touch();
    if (this.#chars >= FLUSH_CHARS) this.#write(true);
  }

  started(record: CallRecord, parent: CallRecord): void {
    if (this.#dropped?.has(parent)) {
      this.#dropped.add(record);
      return;
    }
    this.#queue.push(record);
    this.#calls++;
    if (!this.#dirty) this.#touch();
    if (++this.#running >= FLUSH_CALLS) this.flush();
  }

  ended(record: CallRecord): void {
    if (failed(record.status)) this.#failures++;
    if (this.#open?.delete(record)) {
      this.#calls++;
      this.#line(endLine(record));
      return;
    }
    if (this.#dropped?.has(record)) return;
    // Still queued: it goes out whole. Lines are made a batch at a time.
    this.#running--;
    if (++this.#finished >= MEASURE_CALLS) this.#make();
  }

  // Makes the finished calls' lines, from the oldest record still queued, and counts them.
  #make(): void {
    this.#finished = 0;
    const queue = this.#queue;
    let chars = this.#chars;
    let oldest = -1;
    for (let i = this.#unmade; i < queue.length; i++) {
      const item = queue[i]!;
      if (typeof item === "string") continue;
      if (item.end === undefined) {
        if (oldest < 0) oldest = i;
        continue;
      }
      const line = callLine(item);
      queue[i] = line;
      this.#made.push(item);
      chars += line.length + 1;
    }
    this.#unmade = oldest < 0 ? queue.length : oldest;
    this.#chars = chars;
    if (chars >= FLUSH_CHARS) this.#write(true);
  }

  // A call's line is already made or written (its event or attributes need a line of their own),
  // unless it still waits in the queue as a record, carrying them.
  #needsLine(record: CallRecord): boolean {
    if (record === this.#root || this.#open?.has(record)) return true;
    if (record.end === undefined || this.#dropped?.has(record)) return false;
    return !this.#queue.includes(record, this.#unmade);
  }

  event(record: CallRecord, event: CallEvent): void {
    if (this.#needsLine(record)) this.#line(eventLine(record, event));
  }

  attributes(record: CallRecord, changed: Record<string, unknown>): void {
    if (this.#needsLine(record)) this.#line(attributesLine(record, changed));
  }

  moved(records: readonly CallRecord[], from: CallRecord): void {
    // Calls still queued as records go out as the lines they had before the move (their new
    // parent may be queued after them), all of them before any write for size, then the moves.
    const queued = new Set(records);
    const queue = this.#queue;
    for (let i = this.#unmade; i < queue.length; i++) {
      const record = queue[i]!;
      if (typeof record === "string" || !queued.has(record)) continue;
      const line = callLine(record, from.id);
      queue[i] = line;
      this.#chars += line.length + 1;
      if (record.end === undefined) {
        this.#running--;
        this.#open ??= new Set();
        this.#open.add(record);
      } else {
        this.#finished--;
      }
      this.#made.push(record);
    }
    for (const record of records) if (!this.#dropped?.has(record)) this.#line(moveLine(record));
  }

  closed(root: CallRecord): void {
    this.#final = `${sessionEndLine(root, this.#header)}\n`;
    this.#touch();
    this.flush();
    this.#sink.finish(this.#file);
  }

  /** Writes everything queued, synchronously (one write per batch). */
  flush(): void {
    this.#write(false);
  }

  // Writes the batch. A write for size (`keepLeaves`) leaves running calls that have no calls of
  // their own in the queue: nothing written names them, and most of them end in time to go out
  // whole in the next batch, instead of as `start` now and `end` later.
  #write(keepLeaves: boolean): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    dirty.delete(this);
    const queue = this.#queue;
    const made = this.#made;
    const final = this.#final;
    let calls = this.#calls;
    this.#queue = [];
    this.#made = [];
    this.#unmade = this.#chars = this.#finished = this.#running = this.#calls = 0;
    this.#final = undefined;
    if (this.#file.gone) {
      // Nothing of this session can be written (see DirWriter): only count what is lost.
      this.#sink.append(this.#file, "", queue.length, calls);
      return;
    }
    let text = "";
    let lines = 0;
    const kept: CallRecord[] = [];
    for (const item of queue) {
      if (typeof item === "string") {
        text += `${item}\n`;
      } else if (item.end !== undefined) {
        text += `${callLine(item)}\n`;
      } else if (keepLeaves && item.children.length === 0) {
        kept.push(item);
        continue;
      } else {
        text += `${callLine(item)}\n`;
        this.#open ??= new Set();
        this.#open.add(item);
      }
      lines++;
    }
    if (kept.length > 0) {
      calls -= kept.length;
      this.#queue = kept;
      this.#calls = this.#running = kept.length;
      this.#touch();
    }
    // The first write may go to a segment, whose index says what is known of the session so far.
    const summary = this.#file.header === undefined ? undefined : this.#summary(calls);
    if (!this.#sink.append(this.#file, text, lines, calls, final, summary)) this.#forget(queue, made, kept);
  }

  // What a segment's index says of this session at its first write.
  #summary(calls: number): FirstBlockSummary {
    const root = this.#root;
    return {
      name: root.node,
      start: root.start,
      end: root.end,
      status: root.status,
      calls,
      errors: this.#failures,
    };
  }

  // The batch was dropped: later lines must not name its calls (their ends, events, children).
  #forget(queue: Array<CallRecord | string>, made: CallRecord[], kept: CallRecord[]): void {
    this.#dropped ??= new WeakSet();
    const dropped = this.#dropped;
    const stays = new Set(kept);
    for (const record of made) {
      dropped.add(record);
      this.#open?.delete(record);
    }
    for (const item of queue) {
      if (typeof item === "string" || stays.has(item)) continue;
      dropped.add(item);
      this.#open?.delete(item);
    }
  }
}

/**
 * A writer (and its file) kept for as long as the process lives, so that the hidden classes of a
 * session's writer outlive the sessions (see runtime/shapes.ts). It is never written: it leaves the
 * writers with lines waiting at once, and its file is never made.
 */
export function keptWriter(sink: DirWriter): SessionFileWriter {
  const writer = new SessionFileWriter(sink, "", {}, new CallTree(keptRecord("session")));
  dirty.delete(writer);
  return writer;
}
