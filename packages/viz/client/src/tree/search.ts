/**
 * Search over calls: node names, ids, input and output text (and error messages), case-insensitive.
 * The text of a call is built once and cached on its node until the call changes.
 */
import type { TreeModel, TreeNode } from "./model.js";

/** How much of one call's values is searched (recorded values are already size-limited). */
const MAX_TEXT = 20_000;

/** Appends the strings, numbers and keys of a JSON value to `out`, up to `budget` characters. */
function collect(value: unknown, out: string[], budget: { left: number }): void {
  if (budget.left <= 0 || value === null || value === undefined) return;
  switch (typeof value) {
    case "string":
      out.push(value);
      budget.left -= value.length;
      return;
    case "number":
    case "boolean":
    case "bigint": {
      const text = String(value);
      out.push(text);
      budget.left -= text.length;
      return;
    }
    case "object":
      if (Array.isArray(value)) {
        for (const item of value) {
          if (budget.left <= 0) return;
          collect(item, out, budget);
        }
        return;
      }
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (budget.left <= 0) return;
        out.push(key);
        budget.left -= key.length;
        collect(item, out, budget);
      }
      return;
    default:
      return;
  }
}

/** The lower-cased text a search looks in for this call. */
export function searchText(node: TreeNode): string {
  if (node.text !== undefined) return node.text;
  const call = node.call;
  const parts: string[] = [String(call.node), String(call.id)];
  const budget = { left: MAX_TEXT };
  collect(call.input, parts, budget);
  collect(call.output, parts, budget);
  if (call.error && typeof call.error === "object") {
    collect(call.error.name, parts, budget);
    collect(call.error.message, parts, budget);
  }
  node.text = parts.join("\n").toLowerCase();
  return node.text;
}

/** Whether `node` matches the (already lower-cased, trimmed) query. */
export function matches(node: TreeNode, query: string): boolean {
  return query.length > 0 && searchText(node).includes(query);
}

/**
 * Every matching call in tree order (depth-first, children by start), whether or not it is
 * currently visible. `within`, when given, limits the matches to those nodes (e.g. the
 * errors-only filter).
 */
export function findMatches(model: TreeModel, query: string, within?: ReadonlySet<TreeNode>): TreeNode[] {
  const needle = query.trim().toLowerCase();
  const root = model.root;
  if (!root || needle.length === 0) return [];
  const found: TreeNode[] = [];
  const stack: TreeNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (within && node !== root && !within.has(node)) continue;
    if (matches(node, needle)) found.push(node);
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return found;
}

/** The index of the match to go to from `current` (wrapping), `step` being +1 (next) or -1. */
export function stepMatch(count: number, current: number, step: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return step === 1 ? 0 : count - 1;
  return (current + step + count) % count;
}
