import { addChild, type CallRecordJSON, recordToJSON } from "./record.js";
import type { CallRecord } from "./types.js";

/** A test on a record, for `find` and `findAll`. */
export type RecordPredicate = (record: CallRecord) => boolean;

function matcher(query: string | RecordPredicate): RecordPredicate {
  return typeof query === "string" ? (record) => record.node === query : query;
}

/**
 * One session's calls as a tree. `root` is the session's record (kind `"session"`); top-level calls
 * are its children. A live session's tree grows while it runs and stays readable afterwards.
 */
export class CallTree {
  /** The session's root record. */
  readonly root: CallRecord;
  /** Problems met while reading a stored session (a cut-off last line, a corrupt line). */
  readonly warnings: string[] = [];
  /** The process that recorded the session, when known (a stored session's header tells it). */
  writer: { pid: number; host: string } | undefined;
  #size = 0;
  // Built on the first `get`: most trees are only walked, and a map entry per call is not free.
  #index: Map<string, CallRecord> | undefined;

  constructor(root: CallRecord) {
    this.root = root;
  }

  /** Number of calls in the tree, not counting the session's root record. */
  get size(): number {
    return this.#size;
  }

  /** The record with this id (the root included), or `undefined`. */
  get(id: string): CallRecord | undefined {
    if (this.#index === undefined) {
      const index = new Map<string, CallRecord>([[this.root.id, this.root]]);
      for (const record of this) index.set(record.id, record);
      this.#index = index;
    }
    return this.#index.get(id);
  }

  /** The first call, in depth-first start order, whose node has this name or that passes the test. */
  find(query: string | RecordPredicate): CallRecord | undefined {
    const test = matcher(query);
    for (const record of this) if (test(record)) return record;
    return undefined;
  }

  /** Every call, in depth-first start order, whose node has this name or that passes the test. */
  findAll(query: string | RecordPredicate): CallRecord[] {
    const test = matcher(query);
    const found: CallRecord[] = [];
    for (const record of this) if (test(record)) found.push(record);
    return found;
  }

  /** Every call (not the root), depth-first, children in start order. */
  *[Symbol.iterator](): IterableIterator<CallRecord> {
    // An explicit stack: recursion would overflow on very deep trees.
    const stack: CallRecord[] = [];
    for (let i = this.root.children.length - 1; i >= 0; i--) stack.push(this.root.children[i]!);
    while (stack.length > 0) {
      const record = stack.pop()!;
      yield record;
      for (let i = record.children.length - 1; i >= 0; i--) stack.push(record.children[i]!);
    }
  }

  /** The whole tree as plain JSON: the root record with its children nested. */
  toJSON(): CallRecordJSON {
    return recordToJSON(this.root);
  }

  /**
   * @internal Moves records (each with its subtree) under another parent in the tree, among its
   * children in start order. Only plain records move (read back, or made from spans), never a live
   * session's. A record that is `parent` or one of its ancestors stays where it is. Returns the
   * records that moved (not those already under `parent`). One pass per old parent, so a whole
   * group of waiting calls moves at once.
   */
  move(records: readonly CallRecord[], parent: CallRecord): CallRecord[] {
    const above = new Set<CallRecord>();
    for (let up: CallRecord | undefined = parent; up !== undefined; ) {
      above.add(up);
      up = up.parentId === null ? undefined : this.get(up.parentId);
    }
    const leaving = new Map<CallRecord, Set<CallRecord>>();
    const moved: CallRecord[] = [];
    for (const record of records) {
      if (above.has(record) || record.parentId === parent.id || record.parentId === null) continue;
      const from = this.get(record.parentId);
      if (from !== undefined) {
        let set = leaving.get(from);
        if (set === undefined) {
          set = new Set();
          leaving.set(from, set);
        }
        set.add(record);
      }
      (record as { parentId: string | null }).parentId = parent.id;
      moved.push(record);
    }
    if (moved.length === 0) return moved;
    for (const [from, set] of leaving) {
      const children = from.children;
      if (set.size === 1) {
        const [only] = set;
        const at = children.lastIndexOf(only!);
        if (at !== -1) children.splice(at, 1);
      } else {
        from.children = children.filter((child) => !set.has(child));
      }
    }
    for (const record of moved) insertByStart(parent, record);
    return moved;
  }

  /** @internal Adds a record under its parent (the parent must already be in the tree). */
  attach(record: CallRecord, parent: CallRecord): void {
    addChild(parent, record);
    this.#size++;
    this.#index?.set(record.id, record);
  }
}

/**
 * Puts a child among its siblings by start, after those that started at the same time: at the end
 * for a call that started last (the usual case), else by binary search.
 */
function insertByStart(parent: CallRecord, child: CallRecord): void {
  const siblings = parent.children;
  const last = siblings[siblings.length - 1];
  if (last === undefined || last.start <= child.start) {
    addChild(parent, child);
    return;
  }
  let lo = 0;
  let hi = siblings.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (siblings[mid]!.start <= child.start) lo = mid + 1;
    else hi = mid;
  }
  siblings.splice(lo, 0, child);
}
