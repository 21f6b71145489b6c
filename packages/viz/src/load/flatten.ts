import { type CallRecord, type CallTree, recordFields } from "@runtrace/core";
import type { FlatCall } from "../shared/types.js";

/** A record without its children, with its place in the tree (what the API sends). */
export function toFlatCall(record: CallRecord, depth: number): FlatCall {
  const flat = recordFields(record) as FlatCall;
  flat.depth = depth;
  flat.childCount = record.children.length;
  return flat;
}

/**
 * A session's calls in depth-first start order (root excluded), kept as references to the tree's
 * records plus their depths: a page is turned into `FlatCall`s only when it is asked for, so a
 * 100,000-call session costs one array of pointers, not 100,000 extra objects.
 */
export class FlatCalls {
  readonly #records: CallRecord[];
  readonly #depths: Uint32Array;

  constructor(records: CallRecord[], depths: Uint32Array) {
    this.#records = records;
    this.#depths = depths;
  }

  get total(): number {
    return this.#records.length;
  }

  /** Calls `offset` to `offset + limit` (fewer at the end). */
  slice(offset: number, limit: number): FlatCall[] {
    const end = Math.min(this.#records.length, offset + limit);
    const out: FlatCall[] = [];
    for (let i = offset; i < end; i++) out.push(toFlatCall(this.#records[i]!, this.#depths[i]!));
    return out;
  }

  /** Every call. */
  all(): FlatCall[] {
    return this.slice(0, this.#records.length);
  }
}

/** Walks a tree depth-first, children in start order, without recursion (trees can be very deep). */
export function flattenTree(tree: CallTree): FlatCalls {
  const records: CallRecord[] = [];
  const depthList: number[] = [];
  const stack: CallRecord[] = [];
  const stackDepth: number[] = [];
  const top = tree.root.children;
  for (let i = top.length - 1; i >= 0; i--) {
    stack.push(top[i]!);
    stackDepth.push(1);
  }
  while (stack.length > 0) {
    const record = stack.pop()!;
    const depth = stackDepth.pop()!;
    records.push(record);
    depthList.push(depth);
    const children = record.children;
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push(children[i]!);
      stackDepth.push(depth + 1);
    }
  }
  return new FlatCalls(records, Uint32Array.from(depthList));
}
