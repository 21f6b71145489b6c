import { CancelledError, describeValue, InvalidOptionsError, SessionError } from "../errors.js";
import { keepOnce } from "../internal/kept.js";
import { textOf } from "../internal/safe.js";
import { expectDuration } from "../nodes/option-checks.js";
import { checkOptionKeys } from "../option-keys.js";
import type { CallTree } from "../recording/tree.js";
import type { SessionStatus } from "../recording/types.js";
import type { Store } from "../stores/store.js";
import { Frame, storage } from "./frame.js";
import { SessionRun } from "./session-run.js";
import { SessionState } from "./session-state.js";
import { callPathObjects } from "./shapes.js";
import { attemptContext } from "./tracer-hook.js";

/** Options of `new rt.Session` and `rt.session`. */
export interface SessionOptions {
  /** @default "session" */
  name?: string;
  /** Where this session is stored; `null` stores nothing. @default the configured store */
  store?: Store | null;
  /** The session fails with `NodeTimeoutError` after this long; running calls end `cancelled`. */
  timeoutMs?: number;
  /** Cancels the session when it aborts. */
  signal?: AbortSignal;
  /** Attributes of the session's root record. */
  attributes?: Record<string, unknown>;
  /**
   * A W3C trace-context carrier (`{ traceparent, tracestate }`) from another process, so that this
   * session continues that trace (see `rt.inject`). Used when tracing is on.
   */
  parent?: Record<string, string | string[] | undefined>;
}

const SESSION_OPTIONS = Object.keys({
  name: true,
  store: true,
  timeoutMs: true,
  signal: true,
  attributes: true,
  parent: true,
} satisfies Record<keyof SessionOptions, true>);

/** A session of its own with the call path's objects, kept for their hidden classes (see shapes.ts). */
function keptCallPath(): object[] {
  return [new Session({ name: "runtrace.shapes", store: null }), ...callPathObjects()];
}

/** Where a session stands: `pending` until `run` is called, then like its root record. */
export type SessionRunStatus = SessionStatus | "pending";

function reasonText(reason: unknown): string {
  return reason === undefined ? "" : `: ${textOf(reason)}`;
}

/**
 * One recorded tree, one trace, one stored file. Run code in it once with `run`; every `rt.call`
 * made inside (however deep, however parallel) lands in its tree.
 *
 * @example
 * ```ts
 * const session = new rt.Session({ name: "answer", timeoutMs: 30_000 });
 * const answer = await session.run(() => rt.call(agent, question));
 * console.log(rt.formatTree(session.tree));
 * ```
 */
export class Session {
  readonly #state: SessionState;
  readonly #options: SessionOptions;
  #started = false;

  constructor(options: SessionOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new InvalidOptionsError(`rt.Session expected an options object, got ${describeValue(options)}.`);
    }
    checkOptionKeys("rt.Session", options, SESSION_OPTIONS);
    const name = options.name ?? "session";
    if (typeof name !== "string" || name === "") {
      throw new InvalidOptionsError(
        `rt.Session: expected \`name\` to be a non-empty string, got ${describeValue(name)}.`,
      );
    }
    if (options.timeoutMs !== undefined)
      expectDuration(`Session "${name}"`, "timeoutMs", options.timeoutMs, true);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new InvalidOptionsError(
        `Session "${name}": expected \`signal\` to be an AbortSignal, got ${describeValue(options.signal)}.`,
      );
    }
    this.#options = options;
    this.#state = new SessionState(name, options.attributes);
    keepOnce("call path", keptCallPath);
  }

  get id(): string {
    return this.#state.id;
  }

  get name(): string {
    return this.#state.name;
  }

  get status(): SessionRunStatus {
    return this.#started ? (this.#state.root.status as SessionStatus) : "pending";
  }

  /** The session's call tree: live while it runs, complete afterwards. */
  get tree(): CallTree {
    return this.#state.tree;
  }

  /** Aborts every running call of the session (they end `cancelled`); `run` rejects with `CancelledError`. */
  cancel(reason?: unknown): void {
    const state = this.#state;
    state.scope.abort(
      new CancelledError(`Session "${state.name}" was cancelled${reasonText(reason)}`, reason),
    );
  }

  /**
   * Runs `fn` as this session (once per session) and resolves with its result. The session ends
   * when `fn` settles, or at once when it is cancelled or times out.
   */
  run<T>(fn: (session: Session) => T | PromiseLike<T>): Promise<Awaited<T>> {
    if (this.#started) {
      return Promise.reject(
        new SessionError(
          `Session "${this.name}" (${this.id}) has already run; a session records one run. Create a new rt.Session for the next one.`,
        ),
      );
    }
    if (typeof fn !== "function") {
      return Promise.reject(
        new InvalidOptionsError(
          `session.run expected a function (session) => ..., got ${describeValue(fn)}.`,
        ),
      );
    }
    this.#started = true;
    const state = this.#state;
    const { signal, timeoutMs } = this.#options;
    state.open(this.#options.store, this.#options.parent);
    const running = new SessionRun<Awaited<T>>(state);
    running.start(this, signal, timeoutMs);
    if (running.settled) return running.promise;
    try {
      const tracer = state.tracer;
      const frame = new Frame(state, state.root, state.scope, 0, 0, attemptContext(tracer, state.root));
      const out =
        tracer === undefined || tracer.inFrames
          ? storage.run(frame, fn, this)
          : tracer.activate(state.root, () => storage.run(frame, fn, this));
      running.follow(out);
    } catch (error) {
      running.settle("error", undefined, error);
    }
    return running.promise;
  }
}

/**
 * Runs `fn` in a new session: `rt.session("name", fn)` is `new rt.Session({ name }).run(fn)`.
 *
 * @example
 * ```ts
 * const out = await rt.session("nightly-report", () => rt.call(pipeline, input));
 * ```
 */
export function session<T>(
  nameOrOptions: string | SessionOptions,
  fn: (session: Session) => T | PromiseLike<T>,
): Promise<Awaited<T>> {
  let instance: Session;
  try {
    instance = new Session(typeof nameOrOptions === "string" ? { name: nameOrOptions } : nameOrOptions);
  } catch (error) {
    return Promise.reject(error);
  }
  return instance.run(fn);
}
