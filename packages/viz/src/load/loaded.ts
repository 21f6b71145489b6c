import { type CallTree, placeholderSession, type SessionSummary, unreadableSummary } from "@runtrace/core";
import type { SessionResponse } from "../shared/types.js";
import { type FlatCalls, flattenTree } from "./flatten.js";
import { sessionResponse } from "./summary.js";

/** One session read from its file, with what the API serves of it. */
export interface LoadedSession {
  id: string;
  file: string;
  tree: CallTree;
  summary: SessionSummary;
  response: SessionResponse;
  /** The calls in depth-first order (computed on first use, then kept with the session). */
  calls(): FlatCalls;
}

/** A read session; its depth-first order is computed on the first page asked for. */
export function makeLoaded(id: string, file: string, tree: CallTree, summary: SessionSummary): LoadedSession {
  let flat: FlatCalls | undefined;
  return {
    id,
    file,
    tree,
    summary,
    response: sessionResponse(tree, summary),
    calls: () => {
      flat ??= flattenTree(tree);
      return flat;
    },
  };
}

/** A file that could not be read as a session: shown with its problem instead of failing. */
export function unreadable(id: string, file: string, problem: string): LoadedSession {
  const tree = placeholderSession(id, "error", 0, problem);
  return makeLoaded(id, file, tree, unreadableSummary(id, file, problem));
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
