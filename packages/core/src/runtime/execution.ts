import {
  CallDepthError,
  CancelledError,
  isCancelledError,
  NodeTimeoutError,
  RetryExhaustedError,
} from "../errors.js";
import { now } from "../internal/clock.js";
import { isInstance, textOf } from "../internal/safe.js";
import type { NodeHandle } from "../nodes/def.js";
import type { NodeDef } from "../nodes/options.js";
import type { RetryPolicy } from "../nodes/retry-policy.js";
import { validateReturn } from "../nodes/schema.js";
import type { LiveRecord } from "../recording/record.js";
import type { CallStatus } from "../recording/types.js";
import { Frame, storage } from "./frame.js";
import { type Gate, gateFor } from "./gate.js";
import { retryDelay } from "./retry.js";
import { type Cancellable, Scope } from "./scope.js";
import type { SessionState } from "./session-state.js";
import { attemptContext } from "./tracer-hook.js";

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

/**
 * The `then` of a result, read once as `await` reads it; a getter that throws (a hostile Proxy, a
 * revoked one) throws here, where the caller turns it into the attempt's failure.
 */
function thenOf(value: unknown): unknown {
  return value !== null && (typeof value === "object" || typeof value === "function")
    ? (value as { then?: unknown }).then
    : undefined;
}

/**
 * How many calls may be nested, each inside the one before. Plain async recursion overflows the
 * stack at about 9,000 levels on Node 20; a call that never ends its recursion should fail with a
 * clear error well before memory runs out.
 */
export const MAX_CALL_DEPTH = 10_000;

/**
 * A call's first attempt starts synchronously inside its caller's function, so nested calls
 * stack up until something awaits. Past this many synchronous levels, the next attempt starts on
 * a fresh microtask instead: deep recursion through `rt.call` never comes near the stack's end,
 * where even rejecting a promise can throw (and leave Node's rejection tracking inconsistent).
 */
const MAX_SYNC_NESTING = 100;
let syncNesting = 0;

/**
 * What only some calls need: a timeout's timer and scope, a retry's timer and errors, a place at a
 * concurrency gate, a link to a caller's `signal`. Made on first use, so a plain call carries one
 * empty field instead of seven.
 */
class Extra {
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  attemptScope: Scope | undefined = undefined;
  retryTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  errors: unknown[] | undefined = undefined;
  withdraw: (() => void) | undefined = undefined;
  /** The concurrency gate whose slot this call holds. */
  heldGate: Gate | undefined = undefined;
  unlinkSignal: (() => void) | undefined = undefined;
  /** Given a `signal`, the call runs in a scope of its own, closed when it settles. */
  ownsScope = false;
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
  readonly #settings: CallSettings | undefined;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: unknown) => void;
  readonly record: LiveRecord;
  /** The scope this call is registered in (its parent's, or its own when given a `signal`). */
  readonly #scope: Scope;
  #attempt = 0;
  /** The attempt running now; 0 between attempts. An attempt that is over can no longer settle. */
  #current = 0;
  readonly #depth: number;
  #settled = false;
  #extra: Extra | undefined = undefined;

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
    this.#settings = settings;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#depth = parent.depth + 1;
    this.record = this.#session.startCall(parent.record, def, settings?.name ?? def.name, args);
    const signal = settings?.signal;
    if (settings?.attributes) this.#session.attributes(this.record, settings.attributes);
    if (signal === undefined) {
      this.#scope = parent.scope;
      return;
    }
    const scope = new Scope(parent.scope);
    this.#scope = scope;
    const extra = this.#more();
    extra.ownsScope = true;
    if (signal.aborted) {
      scope.abort(signal.reason);
      return;
    }
    const onAbort = () => scope.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    extra.unlinkSignal = () => signal.removeEventListener("abort", onAbort);
  }

  #more(): Extra {
    this.#extra ??= new Extra();
    return this.#extra;
  }

  /** The call's name in the tree (the node's, or the one `rt.callWith` gave). */
  get #name(): string {
    return this.record.node;
  }

  get #timeoutMs(): number | undefined {
    return this.#settings?.timeoutMs ?? this.#def.timeoutMs;
  }

  get #retry(): RetryPolicy | undefined {
    return this.#settings?.retry ?? this.#def.retry;
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
    if (this.#depth > MAX_CALL_DEPTH) {
      this.#fail(new CallDepthError(this.#name, MAX_CALL_DEPTH), "error");
      return;
    }
    if (def.params !== undefined) {
      try {
        this.#args = def.params.validate(this.#name, this.#args);
      } catch (error) {
        this.#fail(error, "error");
        return;
      }
    }
    const concurrency = def.concurrency;
    if (concurrency === undefined) {
      this.#runAttempt();
      return;
    }
    const gate = gateFor(concurrency);
    const extra = this.#more();
    if (gate.tryAcquire()) {
      extra.heldGate = gate;
      this.#runAttempt();
      return;
    }
    const waitStart = now();
    extra.withdraw = gate.enqueue(() => {
      extra.withdraw = undefined;
      extra.heldGate = gate;
      this.record.waitMs = now() - waitStart;
      // The slot is granted inside another call's settlement: start on a fresh microtask so that a
      // long queue of synchronous nodes does not grow the stack.
      queueMicrotask(() => (this.#settled ? this.#releaseGate() : this.#runAttempt()));
    });
  }

  #runAttempt(): void {
    if (this.#settled) return;
    if (syncNesting >= MAX_SYNC_NESTING) {
      queueMicrotask(() => this.#runAttempt());
      return;
    }
    const attempt = ++this.#attempt;
    this.#current = attempt;
    this.record.attempts = attempt;
    let scope = this.#scope;
    const timeoutMs = this.#timeoutMs;
    if (timeoutMs !== undefined) {
      const extra = this.#more();
      scope = extra.attemptScope = new Scope(scope);
      extra.timer = setTimeout(() => this.#timedOut(attempt, timeoutMs), timeoutMs);
    }
    const tracer = this.#session.tracer;
    const frame = new Frame(
      this.#session,
      this.record,
      scope,
      attempt,
      this.#depth,
      attemptContext(tracer, this.record),
    );
    const fn = this.#def.fn as (...args: unknown[]) => unknown;
    let out: unknown;
    let then: unknown;
    syncNesting++;
    try {
      out =
        tracer === undefined || tracer.inFrames
          ? storage.run(frame, invoke, fn, this.#self, this.#args)
          : tracer.activate(this.record, () => storage.run(frame, invoke, fn, this.#self, this.#args));
      then = thenOf(out);
    } catch (error) {
      syncNesting--;
      this.#attemptFailed(attempt, error, "error");
      return;
    }
    syncNesting--;
    if (typeof then !== "function") {
      this.#attemptDone(attempt, out);
      return;
    }
    try {
      then.call(
        out,
        (value: unknown) => this.#attemptDone(attempt, value),
        (error: unknown) => this.#attemptFailed(attempt, error, "error"),
      );
    } catch (error) {
      this.#attemptFailed(attempt, error, "error");
    }
  }

  /**
   * Whether `attempt` may settle now: it is the one running and the call is not settled. If so it
   * is over from here on, so a late result or error of the same attempt (after its timeout, or its
   * `AbortError` once the timeout aborted it) is ignored.
   */
  #claim(attempt: number): boolean {
    if (this.#settled || attempt !== this.#current) return false;
    this.#current = 0;
    this.#endAttempt();
    return true;
  }

  #endAttempt(): void {
    const extra = this.#extra;
    if (extra === undefined) return;
    if (extra.timer !== undefined) {
      clearTimeout(extra.timer);
      extra.timer = undefined;
    }
    extra.attemptScope?.close();
  }

  #attemptDone(attempt: number, value: unknown): void {
    if (!this.#claim(attempt)) return;
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
    const extra = this.#more();
    extra.timer = undefined;
    if (!this.#claim(attempt)) return;
    const error = new NodeTimeoutError(this.#name, ms);
    // Abort the attempt's scope: its signal fires and calls still running under it end `cancelled`.
    extra.attemptScope?.abort(error);
    this.#afterFailure(attempt, error, "timeout");
  }

  #attemptFailed(attempt: number, error: unknown, status: CallStatus): void {
    if (this.#claim(attempt)) this.#afterFailure(attempt, error, status);
  }

  /** Attempt `attempt` failed (and is over): retry it, or end the call. */
  #afterFailure(attempt: number, error: unknown, status: CallStatus): void {
    const final = status === "error" && isCancelledError(error) ? "cancelled" : status;
    const retry = this.#retry;
    if (retry === undefined) {
      this.#fail(error, final);
      return;
    }
    const extra = this.#more();
    extra.errors ??= [];
    const errors = extra.errors;
    errors.push(error);
    if (attempt < retry.attempts && !this.#scope.aborted && this.#shouldRetry(retry, error, attempt)) {
      const delayMs = retryDelay(retry, attempt);
      this.#session.event(this.record, "retry", {
        attempt,
        delayMs,
        error: this.#session.settings.error(error),
      });
      extra.retryTimer = setTimeout(() => {
        extra.retryTimer = undefined;
        this.#runAttempt();
      }, delayMs);
      return;
    }
    this.#fail(errors.length > 1 ? new RetryExhaustedError(this.#name, errors) : error, final);
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
    const error = isInstance(reason, CancelledError)
      ? reason
      : new CancelledError(
          `Call "${this.#name}" was cancelled: ${reason === undefined ? "cancelled" : textOf(reason)}`,
          reason,
        );
    this.#extra?.attemptScope?.abort(error);
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
    const extra = this.#extra;
    if (extra === undefined) {
      this.#scope.leave(this);
      return;
    }
    this.#endAttempt();
    if (extra.retryTimer !== undefined) clearTimeout(extra.retryTimer);
    extra.withdraw?.();
    this.#releaseGate();
    extra.unlinkSignal?.();
    this.#scope.leave(this);
    if (extra.ownsScope) this.#scope.close();
  }

  #releaseGate(): void {
    const extra = this.#extra;
    const gate = extra?.heldGate;
    if (extra === undefined || gate === undefined) return;
    extra.heldGate = undefined;
    gate.release();
  }
}
