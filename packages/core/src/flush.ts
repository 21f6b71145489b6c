import { flushStores } from "./stores/registry.js";

/**
 * Resolves once everything recorded so far is durable: every store that recorded a session has
 * written it out. Call it before a short-lived process exits on its own terms.
 */
export async function flush(): Promise<void> {
  await flushStores();
}
