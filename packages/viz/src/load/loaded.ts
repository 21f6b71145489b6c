import { type CallRecord, CallTree, type SessionSummary, unreadableSummary } from "@runtrace/core";
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
  const root: CallRecord = {
    id: "0",
    parentId: null,
    sessionId: id,
    node: id,
    kind: "session",
    status: "error",
    start: 0,
    end: undefined,
    input: undefined,
    output: undefined,
    error: undefined,
    attempts: 0,
    events: [],
    attributes: {},
    traceId: undefined,
    spanId: undefined,
    children: [],
  };
  const tree = new CallTree(root);
  tree.warnings.push(problem);
  return makeLoaded(id, file, tree, unreadableSummary(id, file, problem));
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `fn` over `items` with at most `limit` at a time (a directory may hold thousands of files). */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
