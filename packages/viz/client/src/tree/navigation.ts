/**
 * Keyboard moves over the visible rows: ↑/↓ move the cursor, ← collapses (or goes to the parent),
 * → expands (or goes to the first child). Pure: each returns the new cursor and collapsed set.
 */
import type { TreeNode } from "./model.js";

export interface NavState {
  cursor: string | undefined;
  collapsed: ReadonlySet<string>;
}

export type NavKey = "up" | "down" | "left" | "right" | "home" | "end" | "pageUp" | "pageDown";

/**
 * Applies one key to the state over `rows` (the rows as shown). `page` is how many rows a
 * PageUp/PageDown moves.
 */
export function navigate(rows: readonly TreeNode[], state: NavState, key: NavKey, page = 20): NavState {
  if (rows.length === 0) return state;
  const index = state.cursor === undefined ? -1 : rows.findIndex((row) => row.id === state.cursor);
  const at = (i: number): NavState => ({
    cursor: rows[Math.max(0, Math.min(rows.length - 1, i))]!.id,
    collapsed: state.collapsed,
  });
  if (index < 0) return at(0);
  const node = rows[index]!;
  switch (key) {
    case "up":
      return at(index - 1);
    case "down":
      return at(index + 1);
    case "pageUp":
      return at(index - page);
    case "pageDown":
      return at(index + page);
    case "home":
      return at(0);
    case "end":
      return at(rows.length - 1);
    case "left": {
      if (node.children.length > 0 && !state.collapsed.has(node.id)) {
        const collapsed = new Set(state.collapsed);
        collapsed.add(node.id);
        return { cursor: node.id, collapsed };
      }
      return node.parent ? { cursor: node.parent.id, collapsed: state.collapsed } : state;
    }
    case "right": {
      if (node.children.length === 0) return state;
      if (state.collapsed.has(node.id)) {
        const collapsed = new Set(state.collapsed);
        collapsed.delete(node.id);
        return { cursor: node.id, collapsed };
      }
      const next = rows[index + 1];
      return next && next.parent === node ? { cursor: next.id, collapsed: state.collapsed } : state;
    }
  }
}

/** The collapsed set with `id` toggled. */
export function toggle(collapsed: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(collapsed);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}
