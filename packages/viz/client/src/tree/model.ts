/**
 * The call tree the browser holds: built from `FlatCall`s as they arrive (pages of a snapshot, then
 * live upserts), in any order. Pure data, no DOM: the views read it, `version` tells them it changed.
 */
import type { FlatCall } from "../../../src/shared/types.js";

/** One call in the browser's tree. `call` is replaced (never mutated) when an update arrives. */
export interface TreeNode {
  readonly id: string;
  call: FlatCall;
  parent: TreeNode | undefined;
  /** Children in start order. */
  children: TreeNode[];
  /** 0 for the session's root record. */
  depth: number;
  /** Lower-cased searchable text, built on first search and dropped when the call changes. */
  text: string | undefined;
}

/** A call has settled once it has an end and a final status; it never goes back to running. */
export function isSettled(call: FlatCall): boolean {
  return call.status !== "running" && typeof call.end === "number";
}

/** Where a call ends on the clock: its end, or `now` while it runs. */
export function endOf(call: FlatCall, now: number): number {
  return typeof call.end === "number" ? call.end : Math.max(now, call.start);
}

/**
 * Whether a call is open-ended: it has no end, and the session is not followed live (its writer
 * died, or this is a snapshot), so it will not get one here. It is known only up to the last time
 * seen: how long it really ran is unknown.
 */
export function isOpen(call: FlatCall, live: boolean): boolean {
  return !live && typeof call.end !== "number";
}

/**
 * The status a call is shown with. A call still `running` in a session that is not followed live
 * never finished: it shows `unfinished` (an interrupted session's root keeps `interrupted`).
 */
export function shownStatus(call: FlatCall, live: boolean): string {
  const status = String(call.status);
  return status === "running" && isOpen(call, live) ? "unfinished" : status;
}

export class TreeModel {
  root: TreeNode | undefined = undefined;
  /** Bumped on every change, so views can memoize on it. */
  version = 0;
  /**
   * The latest time recorded anywhere in the tree (a start, an end or an event, epoch ms): for a
   * session that never ended, the last time it was seen alive.
   */
  lastTime = 0;
  readonly #nodes = new Map<string, TreeNode>();
  /** Nodes whose parent has not arrived yet, by that parent's id. */
  readonly #waiting = new Map<string, TreeNode[]>();

  /** Number of records held, the root included (nodes still waiting for a parent included). */
  get size(): number {
    return this.#nodes.size;
  }

  get(id: string): TreeNode | undefined {
    return this.#nodes.get(id);
  }

  /** Every node, in arrival order. */
  nodes(): IterableIterator<TreeNode> {
    return this.#nodes.values();
  }

  /**
   * Adds a call or replaces what is known of it. A call that has settled is not turned back into a
   * running one by an older update (the live stream can deliver updates older than a snapshot).
   * Returns whether anything changed.
   */
  upsert(call: FlatCall): boolean {
    if (call === null || typeof call !== "object" || typeof call.id !== "string") return false;
    this.#touch(call);
    const existing = this.#nodes.get(call.id);
    if (existing) {
      if (isSettled(existing.call) && !isSettled(call)) return false;
      const from = existing.call.parentId;
      existing.call = call;
      existing.text = undefined;
      if (call.parentId !== from && existing !== this.root) this.#move(existing, from);
      this.version++;
      return true;
    }
    const node: TreeNode = {
      id: call.id,
      call,
      parent: undefined,
      children: [],
      depth: 0,
      text: undefined,
    };
    this.#nodes.set(call.id, node);
    if (call.parentId === null || call.parentId === undefined) {
      this.root ??= node;
    } else {
      const parent = this.#nodes.get(call.parentId);
      if (parent) this.#attach(node, parent);
      else this.#wait(node, call.parentId);
    }
    const adopted = this.#waiting.get(call.id);
    if (adopted) {
      this.#waiting.delete(call.id);
      for (const child of adopted) this.#attach(child, node);
    }
    this.version++;
    return true;
  }

  upsertAll(calls: readonly FlatCall[]): number {
    let changed = 0;
    for (const call of calls) if (this.upsert(call)) changed++;
    return changed;
  }

  /** How many nodes still wait for a parent that has not arrived. */
  get waiting(): number {
    let count = 0;
    for (const list of this.#waiting.values()) count += list.length;
    return count;
  }

  /** Shows calls whose parent never arrived under the root, so nothing loaded stays invisible. */
  adoptOrphans(): void {
    const root = this.root;
    if (!root || this.#waiting.size === 0) return;
    for (const list of this.#waiting.values()) for (const node of list) this.#attach(node, root);
    this.#waiting.clear();
    this.version++;
  }

  /** The node's ancestors, nearest first. */
  ancestors(id: string): TreeNode[] {
    const out: TreeNode[] = [];
    let node = this.#nodes.get(id)?.parent;
    while (node) {
      out.push(node);
      node = node.parent;
    }
    return out;
  }

  #touch(call: FlatCall): void {
    const end = typeof call.end === "number" ? call.end : 0;
    // Events are appended in time order: the last one is the latest.
    const events = Array.isArray(call.events) ? call.events : [];
    const event = events.length > 0 ? events[events.length - 1]?.time : undefined;
    const latest = Math.max(call.start, end, typeof event === "number" ? event : 0);
    if (latest > this.lastTime) this.lastTime = latest;
  }

  /**
   * A call now names another parent (a span that was shown under the root until its parent came):
   * it leaves its old place, with its subtree, for the new one (or waits for it).
   */
  #move(node: TreeNode, from: string | null | undefined): void {
    const old = node.parent;
    if (old) {
      const at = old.children.indexOf(node);
      if (at !== -1) old.children.splice(at, 1);
      node.parent = undefined;
    } else if (typeof from === "string") {
      // It was waiting for its old parent.
      const list = this.#waiting.get(from);
      const at = list?.indexOf(node) ?? -1;
      if (at !== -1) list!.splice(at, 1);
      if (list?.length === 0) this.#waiting.delete(from);
    }
    const parentId = node.call.parentId;
    const parent = parentId === null || parentId === undefined ? this.root : this.#nodes.get(parentId);
    if (parent) this.#attach(node, parent);
    else this.#wait(node, parentId!);
  }

  /** Keeps a node whose parent has not arrived until it does. */
  #wait(node: TreeNode, parentId: string): void {
    const list = this.#waiting.get(parentId);
    if (list) list.push(node);
    else this.#waiting.set(parentId, [node]);
  }

  #attach(node: TreeNode, parent: TreeNode): void {
    // Guard against a record naming its own descendant as parent (attach it to the root instead).
    // Only a node that already has children can be an ancestor of `parent`, so the usual case
    // (a new leaf) skips the walk and a deep chain builds in linear time.
    if (node.children.length > 0 || parent === node) {
      for (let up: TreeNode | undefined = parent; up; up = up.parent) {
        if (up === node) {
          if (!this.root || this.root === node) return;
          parent = this.root;
          break;
        }
      }
    }
    node.parent = parent;
    const siblings = parent.children;
    const start = node.call.start;
    const last = siblings[siblings.length - 1];
    if (last === undefined || last.call.start <= start) siblings.push(node);
    else {
      // Binary search for the first sibling that started later (stable for equal starts).
      let lo = 0;
      let hi = siblings.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (siblings[mid]!.call.start <= start) lo = mid + 1;
        else hi = mid;
      }
      siblings.splice(lo, 0, node);
    }
    setDepths(node, parent.depth + 1);
  }
}

/** Sets a subtree's depths iteratively (a subtree may have formed before its parent arrived). */
function setDepths(node: TreeNode, depth: number): void {
  node.depth = depth;
  if (node.children.length === 0) return;
  const stack: TreeNode[] = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const child of current.children) {
      child.depth = current.depth + 1;
      if (child.children.length > 0) stack.push(child);
    }
  }
}
