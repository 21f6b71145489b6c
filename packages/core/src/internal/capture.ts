/**
 * A promise the runtime settles itself (one per call, one per session), made with one shared
 * executor instead of a closure per promise. `new Promise(capture)` runs `capture` synchronously,
 * so the functions it leaves here are taken back before anything else can run.
 *
 * They are taken, not only read: left here, the last ones would keep their promise reachable, and
 * with it the async-context frame it was made in, its session and the session's whole tree, until
 * the next call.
 */
type Settle = (value: unknown) => void;
const NOTHING: Settle = () => {};
let resolveLast: Settle = NOTHING;
let rejectLast: Settle = NOTHING;

function capture(resolve: Settle, reject: Settle): void {
  resolveLast = resolve;
  rejectLast = reject;
}

/** A new pending promise; `takeResolve` and `takeReject` then hand out its two functions. */
export function settledByUs<T>(): Promise<T> {
  return new Promise(capture) as Promise<T>;
}

export function takeResolve(): Settle {
  const resolve = resolveLast;
  resolveLast = NOTHING;
  return resolve;
}

export function takeReject(): Settle {
  const reject = rejectLast;
  rejectLast = NOTHING;
  return reject;
}
