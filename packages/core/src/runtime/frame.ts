import { AsyncLocalStorage } from "node:async_hooks";
import type { LiveRecord } from "../recording/record.js";
import type { Scope } from "./scope.js";
import type { SessionState } from "./session-state.js";

/** What `rt.current()` tells about the running call. */
export interface CallInfo {
  /** The call's record id (unique within its session). */
  readonly id: string;
  /** The node's name. */
  readonly node: string;
  readonly sessionId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** Aborts when the call times out or is cancelled (also through its parent or session). */
  readonly signal: AbortSignal;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
}

/**
 * The async-context frame of one attempt of one call (or of a session, with `attempt` 0). A fresh
 * frame is made for every call and attempt and never changed afterwards: siblings started under
 * `Promise.all` each see their own, which is what keeps the tree exact.
 */
export class Frame implements CallInfo {
  readonly session: SessionState;
  readonly record: LiveRecord;
  /** The scope children of this frame run in (what `signal` follows). */
  readonly scope: Scope;
  readonly attempt: number;
  /** How many calls this frame is nested in, its own included (0 for a session's frame). */
  readonly depth: number;

  constructor(session: SessionState, record: LiveRecord, scope: Scope, attempt: number, depth: number) {
    this.session = session;
    this.record = record;
    this.scope = scope;
    this.attempt = attempt;
    this.depth = depth;
  }

  get id(): string {
    return this.record.id;
  }
  get node(): string {
    return this.record.node;
  }
  get sessionId(): string {
    return this.record.sessionId;
  }
  get signal(): AbortSignal {
    return this.scope.signal;
  }
  get traceId(): string | undefined {
    return this.record.traceId;
  }
  get spanId(): string | undefined {
    return this.record.spanId;
  }
}

/** The one AsyncLocalStorage of runtrace. */
export const storage = new AsyncLocalStorage<Frame>();
