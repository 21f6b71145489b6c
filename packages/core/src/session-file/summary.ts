import { storedRecord } from "../recording/record.js";
import { failed } from "../recording/status.js";
import { CallTree } from "../recording/tree.js";
import type { SessionStatus } from "../recording/types.js";

/** One line of `runtrace ls`: what is known of a stored session without building its tree. */
export interface SessionSummary {
  id: string;
  name: string;
  status: SessionStatus;
  start: number;
  end: number | undefined;
  /** Number of calls. */
  calls: number;
  /** Number of calls that failed (see `rt.failed`): errors and timeouts. */
  errors: number;
  /** Where it is stored: its own file, or the segment file holding it. */
  file?: string;
  /** Set when the session could not be read; the other fields are then best effort. */
  problem?: string;
}

/** Where a summarised session comes from, and what the caller already counted. */
export interface SummaryOf {
  /** The session id to list it under. @default the id its root records */
  id?: string;
  /** Its file. */
  file?: string;
  /** Its failed calls, when the caller keeps that count (a live reader): the tree is not walked. */
  errors?: number;
}

/** The `runtrace ls` line of a tree. */
export function summarizeSession(tree: CallTree, of: SummaryOf = {}): SessionSummary {
  let errors = of.errors;
  if (errors === undefined) {
    errors = 0;
    for (const record of tree) if (failed(record.status)) errors++;
  }
  const root = tree.root;
  const summary: SessionSummary = {
    id: of.id ?? root.sessionId,
    name: root.node,
    status: root.status,
    start: root.start,
    end: root.end,
    calls: tree.size,
    errors,
  };
  if (of.file !== undefined) summary.file = of.file;
  if (tree.warnings.length > 0) summary.problem = tree.warnings.join("; ");
  return summary;
}

/**
 * The tree of a session known only by its id: a root with no calls, in `status`, named after the
 * id, with `problem` as its warning. For a file that is empty (its process died before writing) or
 * cannot be read as a session.
 */
export function placeholderSession(
  id: string,
  status: SessionStatus,
  start: number,
  problem: string,
): CallTree {
  const root = storedRecord("0", null, id, id, "session", start, undefined);
  root.status = status;
  const tree = new CallTree(root);
  tree.warnings.push(problem);
  return tree;
}

/** The `runtrace ls` line of a file that could not be read as a session: listed with its problem. */
export function unreadableSummary(id: string, file: string, problem: string): SessionSummary {
  return { id, name: id, status: "error", start: 0, end: undefined, calls: 0, errors: 0, file, problem };
}

/** Newest first. */
export function byStartDescending(a: SessionSummary, b: SessionSummary): number {
  return b.start - a.start;
}
