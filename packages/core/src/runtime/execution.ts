import { CancelledError, isCancelledError, NodeTimeoutError, RetryExhaustedError } from "../errors.js";
import { now } from "../internal/clock.js";
import type { NodeHandle } from "../nodes/def.js";
import type { NodeDef } from "../nodes/options.js";
import { validateReturn } from "../nodes/schema.js";
import type { LiveRecord } from "../recording/record.js";
import { sanitizeError } from "../recording/sanitize.js";
import type { CallStatus } from "../recording/types.js";
import { Frame, storage } from "./frame.js";
import { type RetryPolicy, retryDelay } from "./retry.js";
import { type Cancellable, Scope } from "./scope.js";
import type { SessionState } from "./session-state.js";

/** Per-call settings of `rt.callWith`, already validated. */
export interface CallSettings {
  name: string | undefined;
  timeoutMs: number | undefined;
  retry: RetryPolicy | undefined;
  signal: AbortSignal | undefined;
  attributes: Record<string, unknown> | undefined;
}

function invoke(fn: (...args: unknown[]) => unknown, self: unknown, args: unknown[]): unknown {
  return fn.apply(self, args);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : reason === undefined ? "cancelled" : String(reason);
}

/**
 * One call of one node, from start to its single settlement. In order it validates the arguments,
 * waits at the node's concurrency gate, and runs attempts (each in a fresh frame, under its own
 * timeout scope when the node has `timeoutMs`) until one succeeds or the retry policy gives up.
 * Cancellation of the scope it runs in settles it at once, whatever the function is doing.
 */
export class Execution implements Cancellable {
  scopePrev: Cancellable | undefined = undefined;
  scopeNext: Cancellable | undefined = undefined;
  scopeOwner: Scope | undefined = undefined;
  readonly #session: SessionState;
  readonly #def: NodeDef;
  readonly #self: unknown;
  #args: unknown[];
  readonly #name: string;
  readonly #timeoutMs: number | undefined;
  readonly #retry: RetryPolicy | undefined;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: unknown) => void;
  readonly record: LiveRecord;
  /** The scope this call is registered in (its parent's, or its own when given a `signal`). */
  readonly #scope: Scope;
  #attemptScope: Scope | undefined;
  #attempt = 0;
  #settled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #withdraw: (() => void) | undefined;
  #holdsGate = false;
  #errors: unknown[] | undefined;
  #unlinkSignal: (() => void) | undefined;
  readonly #ownsScope: boolean;

  constructor(
    parent: Frame,
    handle: NodeHandle,
    args: unknown[],
    settings: CallSettings | undefined,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
  ) {
    const def = handle.def;
    this.#session = parent.session;
    this.#def = def;
    this.#self = handle.self;
    this.#args = args;
    this.#name = settings?.name ?? def.name;
    this.#timeoutMs = settings?.timeoutMs ?? def.timeoutMs;
    this.#retry = settings?.retry ?? def.retry;
    this.#resolve = resolve;
    this.#reject = reject;
    this.record = this.#session.startCall(parent.record, def, this.#name, args);
    const signal = settings?.signal;
    this.#ownsScope = signal !== undefined;
    this.#scope = signal === undefined ? parent.scope : new Scope(parent.scope);
    if (settings?.attributes) this.#session.attributes(this.record, settings.attributes);
    if (signal !== undefined && !signal.aborted) {
      const scope = this.#scope;
      const onAbort = () => scope.abort(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#unlinkSignal = () => signal.removeEventListener("abort", onAbort);
    }
    if (signal?.aborted) this.#scope.abort(signal.reason);
  }

  /** Starts the call (runs the first attempt synchronously when nothing makes it wait). */
  begin(): void {
    const scope = this.#scope;
    if (scope.aborted) {
      this.cancel(scope.reason);
      return;
    }
    scope.enter(this);
    const def = this.#def;
    if (def.params !== undefined) {
      try {
        this.#args = def.params.validate(this.#name, this.#args);
      } catch (error) {
        this.#fail(error, "error");
        return;
      }
    }
    const gate = def.gate;
    if (gate === undefined || gate.tryAcquire()) {
      this.#holdsGate = gate !== undefined;
      this.#runAttempt();
      return;
    }
    const waitStart = now();
    this.#withdraw = gate.enqueue(() => {
      this.#withdraw = undefined;
      this.#holdsGate = true;
      this.record.waitMs = now() - waitStart;
      // The slot is granted inside another call's settlement: start on a fresh microtask so that a
      // long queue of synchronous nodes does not grow the stack.
      queueMicrotask(() => (this.#settled ? this.#releaseGate() : this.#runAttempt()));
    });
  }

  #runAttempt(): void {
    if (this.#settled) return;
    const attempt = ++this.#attempt;
    this.record.attempts = attempt;
    let scope = this.#scope;
    if (this.#timeoutMs !== undefined) {
      scope = this.#attemptScope = new Scope(scope);
      const ms = this.#timeoutMs;
      this.#timer = setTimeout(() => this.#timedOut(attempt, ms), ms);
    }
    const frame = new Frame(this.#session, this.record, scope, attempt);
    const fn = this.#def.fn as (...args: unknown[]) => unknown;
    const tracer = this.#session.tracer;
    let out: unknown;
    try {
      out =
        tracer === undefined
          ? storage.run(frame, invoke, fn, this.#self, this.#args)
          : tracer.activate(this.record, () => storage.run(frame, invoke, fn, this.#self, this.#args));
    } catch (error) {
      this.#attemptFailed(attempt, error, "error");
      return;
    }
    if (isThenable(out)) {
      try {
        out.then(
          (value) => this.#attemptDone(attempt, value),
          (error) => this.#attemptFailed(attempt, error, "error"),
        );
      } catch (error) {
        this.#attemptFailed(attempt, error, "error");
      }
    } else {
      this.#attemptDone(attempt, out);
    }
  }

  #endAttempt(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#attemptScope?.close();
  }

  #attemptDone(attempt: number, value: unknown): void {
    if (this.#settled || attempt !== this.#attempt) return;
    this.#endAttempt();
    const returns = this.#def.returns;
    if (returns !== undefined) {
      try {
        value = validateReturn(this.#name, returns, value);
      } catch (error) {
        this.#fail(error, "error");
        return;
      }
    }
    this.#settled = true;
    this.#cleanup();
    this.#session.endCall(this.record, "ok", value, undefined, this.#def.recordOutput);
    this.#resolve(value);
  }

  #timedOut(attempt: number, ms: number): void {
    this.#timer = undefined;
    if (this.#settled || attempt !== this.#attempt) return;
    const error = new NodeTimeoutError(this.#name, ms);
    // Abort the attempt's scope: its signal fires and calls still running under it end `cancelled`.
    this.#attemptScope?.abort(error);
    this.#attemptFailed(attempt, error, "timeout");
  }

  #attemptFailed(attempt: number, error: unknown, status: CallStatus): void {
    if (this.#settled || attempt !== this.#attempt) return;
    this.#endAttempt();
    const retry = this.#retry;
    if (retry === undefined) {
      this.#fail(error, status === "error" && isCancelledError(error) ? "cancelled" : status);
      return;
    }
    this.#errors ??= [];
    const errors = this.#errors;
    errors.push(error);
    if (attempt < retry.attempts && !this.#scope.aborted && this.#shouldRetry(retry, error, attempt)) {
      const delayMs = retryDelay(retry, attempt);
      this.#session.event(this.record, "retry", {
        attempt,
        delayMs,
        error: sanitizeError(error, this.#session.sanitize),
      });
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#runAttempt();
      }, delayMs);
      return;
    }
    const final = errors.length > 1 ? new RetryExhaustedError(this.#name, errors) : error;
    this.#fail(final, status === "error" && isCancelledError(error) ? "cancelled" : status);
  }

  #shouldRetry(retry: RetryPolicy, error: unknown, attempt: number): boolean {
    try {
      return retry.retryOn(error, attempt) === true;
    } catch {
      return false;
    }
  }

  /** Called when the scope the call runs in aborts (session cancel, parent timeout, `signal`). */
  cancel(reason: unknown): void {
    if (this.#settled) return;
    const error =
      reason instanceof CancelledError
        ? reason
        : new CancelledError(`Call "${this.#name}" was cancelled: ${reasonText(reason)}`, reason);
    this.#attemptScope?.abort(error);
    this.#fail(error, "cancelled");
  }

  #fail(error: unknown, status: CallStatus): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#cleanup();
    this.#session.endCall(this.record, status, undefined, error);
    this.#reject(error);
  }

  #cleanup(): void {
    this.#endAttempt();
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#withdraw?.();
    this.#releaseGate();
    this.#unlinkSignal?.();
    this.#scope.leave(this);
    if (this.#ownsScope) this.#scope.close();
  }

  #releaseGate(): void {
    if (this.#holdsGate) {
      this.#holdsGate = false;
      this.#def.gate!.release();
    }
  }
}
