import { describeValue, InvalidOptionsError } from "../errors.js";
import { type CallInfo, currentFrame, type Frame, storage } from "./frame.js";
import type { SessionState } from "./session-state.js";

// Outside any session there is no call to abort: hand out one signal that never aborts.
let neverAborts: AbortSignal | undefined;

/**
 * The running call: `{ id, node, sessionId, attempt, signal, traceId, spanId }`, or `undefined`
 * outside a call (at the top of a session, or outside any session).
 */
export function current(): CallInfo | undefined {
  const frame = currentFrame();
  return frame === undefined || frame.attempt === 0 ? undefined : frame;
}

/**
 * The AbortSignal of the running call: it aborts when the call times out, or when its parent, its
 * session or its `signal` option is cancelled. Pass it to `fetch`, timers and model clients so
 * abandoned work stops. Outside a session: a signal that never aborts.
 */
export function signal(): AbortSignal {
  const frame = currentFrame();
  if (frame !== undefined) return frame.scope.signal;
  neverAborts ??= new AbortController().signal;
  return neverAborts;
}

/**
 * Adds an event to the running call (or to the session's root record at the top of a session):
 * recorded, stored, and a span event when tracing. Does nothing outside a session.
 */
export function event(name: string, data?: unknown): void {
  if (typeof name !== "string" || name === "") {
    throw new InvalidOptionsError(`rt.event expected a non-empty event name, got ${describeValue(name)}.`);
  }
  const frame = currentFrame();
  frame?.session.event(frame.record, name, data);
}

/** Merges attributes into the running call's record (and span). Does nothing outside a session. */
export function setAttributes(attributes: Record<string, unknown>): void {
  if (typeof attributes !== "object" || attributes === null) {
    throw new InvalidOptionsError(`rt.setAttributes expected an object, got ${describeValue(attributes)}.`);
  }
  const frame = currentFrame();
  frame?.session.attributes(frame.record, attributes);
}

// The values of `rt.context`, per session: made on the first write, and gone with their session.
const sessionValues = new WeakMap<SessionState, Map<unknown, unknown>>();

function valuesFor(method: string): Map<unknown, unknown> {
  const frame: Frame | undefined = currentFrame();
  if (frame === undefined) {
    throw new InvalidOptionsError(
      `rt.context.${method} needs a session: values are scoped to one. Call it inside rt.session(...), a Session's run, or a node.`,
    );
  }
  let values = sessionValues.get(frame.session);
  if (values === undefined) {
    values = new Map();
    sessionValues.set(frame.session, values);
  }
  return values;
}

function valuesOf(frame: Frame | undefined): Map<unknown, unknown> | undefined {
  return frame === undefined ? undefined : sessionValues.get(frame.session);
}

/** Values shared by every call of the current session (and invisible to other sessions). */
export const context = {
  get<T = unknown>(key: unknown): T | undefined {
    return valuesOf(currentFrame())?.get(key) as T | undefined;
  },
  set(key: unknown, value: unknown): void {
    valuesFor("set").set(key, value);
  },
  has(key: unknown): boolean {
    return valuesOf(currentFrame())?.has(key) ?? false;
  },
  delete(key: unknown): boolean {
    return valuesFor("delete").delete(key);
  },
};

/**
 * Returns `fn` bound to the current call: whenever it runs later (an EventEmitter listener, a
 * timer, a callback API), calls it makes land under the call that was current here.
 */
export function bind<F extends (...args: any[]) => any>(fn: F): F {
  if (typeof fn !== "function") {
    throw new InvalidOptionsError(`rt.bind expected a function, got ${describeValue(fn)}.`);
  }
  const frame = currentFrame();
  if (frame === undefined) return fn;
  return function (this: unknown, ...args: unknown[]) {
    return storage.run(frame, () => fn.apply(this, args));
  } as F;
}
