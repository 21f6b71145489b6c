/**
 * Hearing a signal abort. Calls of one session often share one signal (the session's, when they
 * have no timeout of their own): a listener each would pile up on it by the hundred, and Node warns
 * past ten. One listener per signal hands the abort to every call waiting on it.
 */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `onAbort` when `signal` aborts; the function returned stops that. */
export function whenAborted(signal: AbortSignal, onAbort: () => void): () => void {
  let callbacks = waiting.get(signal);
  if (callbacks === undefined) {
    const created = new Set<() => void>();
    callbacks = created;
    waiting.set(signal, created);
    signal.addEventListener(
      "abort",
      () => {
        waiting.delete(signal);
        for (const callback of created) callback();
      },
      { once: true },
    );
  }
  const mine = callbacks;
  mine.add(onAbort);
  return () => mine.delete(onAbort);
}
