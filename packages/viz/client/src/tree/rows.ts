/**
 * Which calls are rows right now: depth-first, children in start order, below collapsed calls
 * nothing, and with the errors-only filter only failed calls and their ancestors. Iterative, so a
 * 100,000-deep chain does not overflow the stack.
 */
import { failed } from "@runtrace/core/browser";
import type { TreeModel, TreeNode } from "./model.js";

export interface RowOptions {
  /** Ids of collapsed calls (their children are hidden). */
  collapsed: ReadonlySet<string>;
  /** Only failed calls and the calls above them. */
  errorsOnly?: boolean;
}

export function visibleRows(model: TreeModel, options: RowOptions): TreeNode[] {
  const root = model.root;
  if (!root) return [];
  const keep = options.errorsOnly ? failurePaths(model) : undefined;
  const rows: TreeNode[] = [];
  const stack: TreeNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (keep && node !== root && !keep.has(node)) continue;
    rows.push(node);
    if (options.collapsed.has(node.id)) continue;
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return rows;
}

/** Failed calls and every ancestor of one. */
export function failurePaths(model: TreeModel): Set<TreeNode> {
  const marked = new Set<TreeNode>();
  for (const node of model.nodes()) {
    if (!failed(node.call.status)) continue;
    for (let up: TreeNode | undefined = node; up && !marked.has(up); up = up.parent) marked.add(up);
  }
  return marked;
}

/** The collapsed set with every ancestor of `id` expanded (the same set when nothing changes). */
export function expandTo(model: TreeModel, id: string, collapsed: ReadonlySet<string>): ReadonlySet<string> {
  let next: Set<string> | undefined;
  for (const ancestor of model.ancestors(id)) {
    if (collapsed.has(ancestor.id)) {
      next ??= new Set(collapsed);
      next.delete(ancestor.id);
    }
  }
  return next ?? collapsed;
}

/** Every call with children collapsed except the root: the root and its direct children show. */
export function collapseAll(model: TreeModel): Set<string> {
  const collapsed = new Set<string>();
  for (const node of model.nodes()) {
    if (node.children.length > 0 && node !== model.root) collapsed.add(node.id);
  }
  return collapsed;
}
