import { flushStores } from "./stores/used-stores.js";

// Other things that hold recorded data in memory (the tracing exporter) register here.
const flushers = new Set<() => Promise<unknown>>();

/** @internal Adds work that `rt.flush()` waits for; returns the function that removes it. */
export function onFlush(flusher: () => Promise<unknown>): () => void {
  flushers.add(flusher);
  return () => {
    flushers.delete(flusher);
  };
}

/**
 * Resolves once everything recorded so far is durable: every store that recorded a session has
 * written it out, and spans waiting in a `setupTracing` exporter have been sent. Never rejects.
 * Call it before a short-lived process exits on its own terms.
 */
export async function flush(): Promise<void> {
  await flushStores();
  await Promise.all([...flushers].map((flusher) => flusher().catch(() => undefined)));
}
