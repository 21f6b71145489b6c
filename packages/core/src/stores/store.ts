import type { SessionSink } from "../recording/sink.js";
import type { CallTree } from "../recording/tree.js";
import type { SessionSummary } from "../session-file/summary.js";

/** Where sessions are kept. `rt.jsonlStore()` (the default) and `rt.memoryStore()` implement it. */
export interface Store {
  /** A short description, such as `jsonl:/app/.runtrace` or `memory`. */
  readonly description: string;
  /**
   * Called when a session starts; the tree is live and grows as calls are made. Returns the sink
   * that hears every change, or `null` when the store keeps the live tree itself and needs to hear
   * nothing (the memory store). runtrace holds stores weakly: a sink with anything left to write
   * must keep its store reachable, so that `rt.flush()` still finds it.
   */
  openSession(tree: CallTree): SessionSink | null;
  /** Sessions this store holds, newest first. */
  listSessions(): Promise<SessionSummary[]>;
  /** Rebuilds a stored session's tree. Rejects with `ReadError` for an unknown id. */
  readSession(id: string): Promise<CallTree>;
  /** Resolves once everything written so far is durable. */
  flush(): Promise<void>;
}

export type { SessionSummary };
