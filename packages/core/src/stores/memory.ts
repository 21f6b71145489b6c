import { ReadError } from "../errors.js";
import type { CallTree } from "../recording/tree.js";
import { byStartDescending, type SessionSummary, summarizeSession } from "../session-file/summary.js";
import type { Store } from "./store.js";
import { neverFlushed } from "./used-stores.js";

/** A store that keeps sessions in this process only (tests, short scripts, embedding). */
export interface MemoryStore extends Store {
  /** Forgets every session. */
  clear(): void;
}

/**
 * Keeps every session's tree in memory.
 *
 * @example
 * ```ts
 * const store = rt.memoryStore();
 * rt.configure({ store });
 * await rt.session("demo", () => rt.call(node, 1));
 * const [latest] = await store.listSessions();
 * ```
 */
export function memoryStore(): MemoryStore {
  const sessions = new Map<string, CallTree>();
  const store: MemoryStore = {
    description: "memory",
    openSession(tree) {
      sessions.set(tree.root.sessionId, tree);
      // The live tree is the stored session: nothing to hear per call.
      return null;
    },
    async listSessions(): Promise<SessionSummary[]> {
      return [...sessions.values()].map((tree) => summarizeSession(tree)).sort(byStartDescending);
    },
    async readSession(id) {
      const tree = sessions.get(id);
      if (tree === undefined) {
        throw new ReadError(
          `No session "${id}" in this memory store (it holds ${sessions.size}). List them with store.listSessions().`,
        );
      }
      return tree;
    },
    async flush() {},
    clear() {
      sessions.clear();
    },
  };
  neverFlushed(store);
  return store;
}
