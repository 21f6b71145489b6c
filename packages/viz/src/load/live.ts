import {
  type CallRecord,
  type CallTree,
  failed,
  SessionReader,
  type SessionSummary,
  summarizeSession,
} from "@runtrace/core";
import type { FlatCall, SessionResponse } from "../shared/types.js";
import { FlatCalls, flattenTree, toFlatCall } from "./flatten.js";
import { sessionResponse } from "./summary.js";

/** What a batch of lines changed. */
export interface LiveChange {
  /**
   * Calls added or changed, by their place in arrival order (`LiveSession.call(index)`), parents
   * before children; a parent that gained a child is among them (its `childCount` changed).
   */
  calls: number[];
  /** The root record or the summary changed. */
  session: boolean;
  /** The session's end was read in this batch (or its writer was found gone). */
  ended: boolean;
}

/** Calls by where they stand, for `runtrace tail`. */
export interface LiveCounts {
  running: number;
  done: number;
  failed: number;
}

const BUCKETS = ["running", "done", "failed"] as const;

/** Calls per block of `LiveSession.blockChangedAt` (a power of two). */
export const BLOCK = 256;
const BLOCK_SHIFT = 8;
/** Index into `BUCKETS`, plus one (0: not counted yet). */
type Bucket = 0 | 1 | 2 | 3;

function bucketOf(record: CallRecord): Bucket {
  if (record.status === "running") return 1;
  return failed(record.status) ? 3 : 2;
}

/**
 * A session read incrementally from its growing file with core's `SessionReader`, keeping what the
 * viewer needs to send changes without walking the tree again: every call in arrival order (the
 * order of their first lines, so parents come before children) with its depth, bucket and the
 * `version` at which it last changed. `version` grows by one per batch that changed anything, so
 * "everything changed after version N" is one pass over an array.
 */
export class LiveSession {
  readonly id: string;
  readonly file: string;
  readonly #reader: SessionReader;
  /** Call id → place in arrival order. */
  readonly #slots = new Map<string, number>();
  readonly #records: CallRecord[] = [];
  readonly #depths: number[] = [];
  readonly #versions: number[] = [];
  readonly #buckets: Bucket[] = [];
  /** The latest version of any call of each block of `BLOCK` calls. */
  readonly #blockVersions: number[] = [];
  readonly counts: LiveCounts = { running: 0, done: 0, failed: 0 };
  #version = 0;
  /** The calls the batch being read changed, and whether it changed the root's children. */
  #touched = new Set<number>();
  #rootTouched = false;

  constructor(id: string, file: string) {
    this.id = id;
    this.file = file;
    this.#reader = new SessionReader(file);
    this.#reader.onMove = (record, from) => this.#moved(record, from);
  }

  /** The tree so far; `undefined` until the session's header line was read. */
  get tree(): CallTree | undefined {
    return this.#reader.tree;
  }

  /** The session ended (its end line was read, or its writer died without one). */
  get ended(): boolean {
    return this.#reader.ended;
  }

  /** How many batches changed something so far. */
  get version(): number {
    return this.#version;
  }

  /** How many calls so far (the root excluded). */
  get size(): number {
    return this.#records.length;
  }

  /** The call at this place in arrival order, as the API sends it. */
  call(index: number): FlatCall {
    return toFlatCall(this.#records[index]!, this.#depths[index]!);
  }

  /** The version of the batch that last changed the call at this place. */
  changedAt(index: number): number {
    return this.#versions[index]!;
  }

  /** The latest version that changed a call of block `block` (calls `block * BLOCK` to the next block). */
  blockChangedAt(block: number): number {
    return this.#blockVersions[block] ?? 0;
  }

  /** Feeds lines, in file order. */
  push(lines: string[]): LiveChange {
    return this.#take(lines, (line) => this.#reader.push(line));
  }

  #take(lines: string[], read: (line: string) => CallRecord | undefined): LiveChange {
    const touched = new Set<number>();
    this.#touched = touched;
    this.#rootTouched = false;
    let session = false;
    const wasEnded = this.ended;
    for (const line of lines) {
      const record = read(line);
      if (record === undefined) continue;
      const tree = this.#reader.tree!;
      if (record === tree.root) {
        session = true;
        continue;
      }
      let slot = this.#slots.get(record.id);
      if (slot === undefined) {
        // The parent's childCount changed: send it again (before its new child).
        const parentSlot = this.#childCountChanged(record.parentId);
        slot = this.#records.length;
        this.#slots.set(record.id, slot);
        this.#records.push(record);
        this.#depths.push(parentSlot === undefined ? 1 : this.#depths[parentSlot]! + 1);
        this.#versions.push(0);
        this.#buckets.push(0);
      }
      touched.add(slot);
    }
    if (touched.size > 0 || this.#rootTouched) session = true;
    const ended = !wasEnded && this.ended;
    if (session || ended) this.#version++;
    for (const slot of touched) {
      this.#count(slot);
      this.#versions[slot] = this.#version;
      this.#blockVersions[slot >> BLOCK_SHIFT] = this.#version;
    }
    return { calls: [...touched], session, ended };
  }

  /**
   * A call came under `parentId` or left it: that call (or the root) is sent again with its new
   * child count. Returns its place, `undefined` for the root.
   */
  #childCountChanged(parentId: string | null): number | undefined {
    const slot = parentId === null ? undefined : this.#slots.get(parentId);
    if (slot === undefined) this.#rootTouched = true;
    else this.#touched.add(slot);
    return slot;
  }

  /**
   * A call moved under another parent (a trace's span placed before its parent came): it and its
   * calls get their new depths, and both parents their new child counts.
   */
  #moved(record: CallRecord, from: CallRecord): void {
    const slot = this.#slots.get(record.id);
    if (slot === undefined) return;
    this.#childCountChanged(from.id);
    const parentSlot = this.#childCountChanged(record.parentId);
    this.#depths[slot] = parentSlot === undefined ? 1 : this.#depths[parentSlot]! + 1;
    this.#touched.add(slot);
    const stack: CallRecord[] = [record];
    while (stack.length > 0) {
      const parent = stack.pop()!;
      const depth = this.#depths[this.#slots.get(parent.id)!]! + 1;
      for (const child of parent.children) {
        const childSlot = this.#slots.get(child.id);
        if (childSlot === undefined) continue;
        this.#depths[childSlot] = depth;
        this.#touched.add(childSlot);
        if (child.children.length > 0) stack.push(child);
      }
    }
  }

  /** Every call so far, depth-first. */
  calls(): FlatCalls {
    const tree = this.#reader.tree;
    return tree === undefined ? new FlatCalls([], new Uint32Array(0)) : flattenTree(tree);
  }

  /** The session as `GET /api/sessions/:id` would answer now; `undefined` before its header. */
  response(): SessionResponse | undefined {
    const tree = this.#reader.tree;
    if (tree === undefined) return undefined;
    return sessionResponse(tree, this.summary()!);
  }

  summary(): SessionSummary | undefined {
    const tree = this.#reader.tree;
    if (tree === undefined) return undefined;
    return summarizeSession(tree, { id: this.id, file: this.file, errors: this.counts.failed });
  }

  /**
   * True when the session has no end and the process writing it is gone. Read the file once more
   * before believing it (the writer may have written its end just before exiting), then call
   * `markInterrupted`.
   */
  writerGone(): boolean {
    return this.#reader.writerGone;
  }

  /**
   * The session will never end: shown `interrupted`, as core's reader does for a stored file.
   * `partialLine` is what followed the last newline (see `SessionReader.pushLast`).
   */
  markInterrupted(partialLine = ""): LiveChange {
    if (this.#reader.tree === undefined || this.ended) return { calls: [], session: false, ended: false };
    const change = this.#take([partialLine], (line) => this.#reader.pushLast(line));
    // The cut-off line was the session's end after all.
    if (this.ended) return change;
    this.#reader.interrupt();
    this.#version++;
    return { calls: change.calls, session: true, ended: true };
  }

  #count(slot: number): void {
    const next = bucketOf(this.#records[slot]!);
    const previous = this.#buckets[slot]!;
    if (previous === next) return;
    if (previous !== 0) this.counts[BUCKETS[previous - 1]!]--;
    this.counts[BUCKETS[next - 1]!]++;
    this.#buckets[slot] = next;
  }
}
