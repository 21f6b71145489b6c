import { CancelledError, NodeTimeoutError } from "../errors.js";
import { settledByUs, takeReject, takeResolve } from "../internal/capture.js";
import { isInstance } from "../internal/safe.js";
import type { SessionStatus } from "../recording/types.js";
import type { Cancellable, Scope } from "./scope.js";
import type { SessionState } from "./session-state.js";

/**
 * One run of a session, from `session.run` to its single settlement: when its function settles,
 * or at once when its scope aborts (`cancel`, its `signal`, its timeout). It is the entry of the
 * session's root scope that the abort reaches, so a session costs one object here, not a closure
 * per way to end.
 */
export class SessionRun<T> implements Cancellable {
  scopePrev: Cancellable | undefined = undefined;
  scopeNext: Cancellable | undefined = undefined;
  scopeOwner: Scope | undefined = undefined;
  readonly promise: Promise<T>;
  settled = false;
  readonly #state: SessionState;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #unlink: (() => void) | undefined = undefined;

  constructor(state: SessionState) {
    this.#state = state;
    this.promise = settledByUs<T>();
    this.#resolve = takeResolve();
    this.#reject = takeReject();
  }

  /**
   * Enters the session's scope and links its `signal` and timeout. Afterwards `settled` says
   * whether it ended already (a signal aborted before the start).
   */
  start(session: { cancel(reason?: unknown): void }, signal?: AbortSignal, timeoutMs?: number): void {
    const state = this.#state;
    const scope = state.scope;
    scope.enter(this);
    if (signal !== undefined) {
      const onAbort = () => session.cancel(signal.reason);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        this.#unlink = () => signal.removeEventListener("abort", onAbort);
      }
    }
    if (timeoutMs !== undefined && !this.settled) {
      this.#timer = setTimeout(
        () => scope.abort(new NodeTimeoutError(state.name, timeoutMs, "Session")),
        timeoutMs,
      );
    }
    if (!this.settled && scope.aborted) this.cancel(scope.reason);
  }

  /** Settles when what the session's function returned does (a value, a promise, a thenable). */
  follow(out: unknown): void {
    Promise.resolve(out).then(
      (value) => this.settle("ok", value, undefined),
      (error) => this.settle(isInstance(error, CancelledError) ? "cancelled" : "error", undefined, error),
    );
  }

  /** Called when the session's scope aborts: its run ends at once. */
  cancel(reason: unknown): void {
    this.settle(isInstance(reason, NodeTimeoutError) ? "timeout" : "cancelled", undefined, reason);
  }

  settle(status: SessionStatus, value: unknown, error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#unlink?.();
    this.#state.scope.leave(this);
    this.#state.close(status, value, error);
    if (status === "ok") this.#resolve(value);
    else this.#reject(error);
  }
}
