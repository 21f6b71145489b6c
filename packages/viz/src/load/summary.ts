import type { CallRecord, CallTree, SessionStatus, SessionSummary } from "@runtrace/core";
import type { SessionResponse } from "../shared/types.js";
import { toFlatCall } from "./flatten.js";

/** Whether a call counts as an error in a summary (the same rule as `runtrace ls` in core). */
export function countsAsError(record: CallRecord): boolean {
  return record.status === "error" || record.status === "timeout";
}

/** The `ls` line of a tree (`id` is the name of the file it came from). */
export function summarizeTree(
  tree: CallTree,
  id: string,
  file: string | undefined,
  errors?: number,
): SessionSummary {
  let count = errors ?? 0;
  if (errors === undefined) for (const record of tree) if (countsAsError(record)) count++;
  const root = tree.root;
  const summary: SessionSummary = {
    id,
    name: root.node,
    status: root.status as SessionStatus,
    start: root.start,
    end: root.end,
    calls: tree.size,
    errors: count,
  };
  if (file !== undefined) summary.file = file;
  if (tree.warnings.length > 0) summary.problem = tree.warnings.join("; ");
  return summary;
}

/** What `GET /api/sessions/:id` answers for a tree. */
export function sessionResponse(tree: CallTree, summary: SessionSummary): SessionResponse {
  return {
    summary,
    root: toFlatCall(tree.root, 0),
    warnings: [...tree.warnings],
    live: tree.root.end === undefined && tree.root.status === "running",
  };
}
