import type { Store } from "./store.js";

// Stores that have had a session: `rt.flush()` flushes each of them.
const used = new Set<Store>();

export function trackStore(store: Store): void {
  used.add(store);
}

/** Makes everything recorded so far durable in every store that recorded something. */
export async function flushStores(): Promise<void> {
  await Promise.all([...used].map((store) => store.flush()));
}
