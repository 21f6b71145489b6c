import {
  type CallRecord,
  type CallTree,
  SessionReader,
  type SessionSummary,
  writerAlive,
} from "@runtrace/core";
import type { FlatCall, SessionResponse } from "../shared/types.js";
import { FlatCalls, flattenTree, toFlatCall } from "./flatten.js";
import { countsAsError, sessionResponse, summarizeTree } from "./summary.js";

/** What a batch of lines changed. */
export interface LiveChange {
  /** Calls added or changed (a parent that gained a child included), parents before children. */
  calls: FlatCall[];
  /** The root record or the summary changed. */
  session: boolean;
  /** The session's end was read in this batch. */
  ended: boolean;
}

/** Calls by where they stand, for `runtrace tail`. */
export interface LiveCounts {
  running: number;
  done: number;
  failed: number;
}

type Bucket = keyof LiveCounts;

function bucketOf(record: CallRecord): Bucket {
  if (record.status === "running") return "running";
  return countsAsError(record) ? "failed" : "done";
}

/**
 * A session read incrementally from its growing file with core's `SessionReader`, keeping what the
 * viewer needs to send changes (depths, counts) up to date without walking the tree again.
 */
export class LiveSession {
  readonly id: string;
  readonly file: string;
  readonly #reader: SessionReader;
  readonly #depths = new Map<string, number>();
  readonly #buckets = new Map<string, Bucket>();
  readonly counts: LiveCounts = { running: 0, done: 0, failed: 0 };
  #interrupted = false;

  constructor(id: string, file: string) {
    this.id = id;
    this.file = file;
    this.#reader = new SessionReader(file);
  }

  /** The tree so far; `undefined` until the session's header line was read. */
  get tree(): CallTree | undefined {
    return this.#reader.tree;
  }

  /** The session ended (its end line was read, or its writer died without one). */
  get ended(): boolean {
    return this.#reader.ended || this.#interrupted;
  }

  /** Feeds lines, in file order. */
  push(lines: string[]): LiveChange {
    const touched = new Set<CallRecord>();
    let session = false;
    const wasEnded = this.ended;
    for (const line of lines) {
      const record = this.#reader.push(line);
      if (record === undefined) continue;
      const tree = this.#reader.tree!;
      if (record === tree.root) {
        session = true;
        continue;
      }
      if (!this.#depths.has(record.id)) {
        const parentId = record.parentId ?? tree.root.id;
        const parent = parentId === tree.root.id ? undefined : tree.get(parentId);
        this.#depths.set(record.id, parent === undefined ? 1 : (this.#depths.get(parent.id) ?? 0) + 1);
        // The parent's childCount changed: send it again (before its new child).
        if (parent === undefined) session = true;
        else touched.add(parent);
      }
      touched.add(record);
    }
    const calls: FlatCall[] = [];
    for (const record of touched) {
      this.#count(record);
      calls.push(toFlatCall(record, this.#depths.get(record.id) ?? 1));
    }
    if (calls.length > 0) session = true;
    return { calls, session, ended: !wasEnded && this.ended };
  }

  /** Every call so far, depth-first (what a newly connected client is sent). */
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
    return summarizeTree(tree, this.id, this.file, this.counts.failed);
  }

  /**
   * True when the session has no end and the process writing it is gone. Read the file once more
   * before believing it (the writer may have written its end just before exiting), then call
   * `markInterrupted`.
   */
  writerGone(): boolean {
    const tree = this.#reader.tree;
    return tree !== undefined && !this.ended && !writerAlive(tree.writer);
  }

  /** The session will never end: shown `interrupted`, as core's reader does for a stored file. */
  markInterrupted(): void {
    const tree = this.#reader.tree;
    if (tree === undefined || this.ended) return;
    this.#interrupted = true;
    tree.root.status = "interrupted";
  }

  #count(record: CallRecord): void {
    const next = bucketOf(record);
    const previous = this.#buckets.get(record.id);
    if (previous === next) return;
    if (previous !== undefined) this.counts[previous]--;
    this.counts[next]++;
    this.#buckets.set(record.id, next);
  }
}
