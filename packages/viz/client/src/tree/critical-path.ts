/**
 * The critical path: the chain of calls that determined when the session ended. From the root,
 * repeatedly the child that ended last (a running child counts as ending `now`); the first one on a
 * tie, children being in start order.
 */
import { endOf, type TreeModel, type TreeNode } from "./model.js";

export function criticalPath(model: TreeModel, now: number): TreeNode[] {
  const path: TreeNode[] = [];
  let node = model.root;
  while (node) {
    path.push(node);
    let next: TreeNode | undefined;
    let latest = Number.NEGATIVE_INFINITY;
    for (const child of node.children) {
      const end = endOf(child.call, now);
      if (end > latest) {
        latest = end;
        next = child;
      }
    }
    node = next;
  }
  return path;
}

/** The ids on the critical path, for quick lookups while rendering rows. */
export function criticalIds(model: TreeModel, now: number): Set<string> {
  return new Set(criticalPath(model, now).map((node) => node.id));
}
