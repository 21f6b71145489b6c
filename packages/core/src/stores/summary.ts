import type { CallTree } from "../recording/tree.js";
import type { SessionStatus } from "../recording/types.js";
import type { SessionSummary } from "./store.js";

/** The `runtrace ls` line of a tree. */
export function summarize(tree: CallTree, file?: string): SessionSummary {
  let errors = 0;
  for (const record of tree) if (record.status === "error" || record.status === "timeout") errors++;
  const root = tree.root;
  const summary: SessionSummary = {
    id: root.sessionId,
    name: root.node,
    status: root.status as SessionStatus,
    start: root.start,
    end: root.end,
    calls: tree.size,
    errors,
  };
  if (file !== undefined) summary.file = file;
  if (tree.warnings.length > 0) summary.problem = tree.warnings.join("; ");
  return summary;
}

/** The `runtrace ls` line of a file that could not be read as a session: listed with its problem. */
export function unreadableSummary(id: string, file: string, problem: string): SessionSummary {
  return { id, name: id, status: "error", start: 0, end: undefined, calls: 0, errors: 0, file, problem };
}

/** Newest first. */
export function byStartDescending(a: SessionSummary, b: SessionSummary): number {
  return b.start - a.start;
}
