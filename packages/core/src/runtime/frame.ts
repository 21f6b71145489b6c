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
  /**
   * The tracing library's context for code running in this frame, when the bridge's context manager
   * keeps it here (see trace-context.ts): one storage for both, so a traced call enters one.
   * `undefined`: none set in this frame or its callers.
   */
  readonly traceContext: unknown;

  constructor(
    session: SessionState,
    record: LiveRecord,
    scope: Scope,
    attempt: number,
    depth: number,
    traceContext: unknown,
  ) {
    this.session = session;
    this.record = record;
    this.scope = scope;
    this.attempt = attempt;
    this.depth = depth;
    this.traceContext = traceContext;
  }

  /** This frame with another trace context (what `context.with` inside a call enters). */
  withTraceContext(traceContext: unknown): Frame {
    return new Frame(this.session, this.record, this.scope, this.attempt, this.depth, traceContext);
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

/** Outside any call, the store holds only a trace context (set by `context.with`, see trace-context.ts). */
export class TraceContextOnly {
  readonly traceContext: unknown;
  constructor(traceContext: unknown) {
    this.traceContext = traceContext;
  }
}

/**
 * The one AsyncLocalStorage of runtrace. Read the running call with {@link currentFrame}: the store
 * may also be a {@link TraceContextOnly}.
 */
export const storage = new AsyncLocalStorage<Frame | TraceContextOnly>();

/** The frame of the running call or session, or `undefined` outside any. */
export function currentFrame(): Frame | undefined {
  const store = storage.getStore();
  return store instanceof Frame ? store : undefined;
}
