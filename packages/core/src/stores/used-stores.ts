import type { Store } from "./store.js";

// Stores that have had a session, for `rt.flush()`. Held weakly: a store the application dropped
// (a memory store replaced by `rt.configure`, say) must not keep its sessions alive. A session's
// writer keeps its store reachable while the session can still write (see `Store.openSession`), so
// every store with something pending is still here when `rt.flush()` runs.
const seen = new WeakSet<Store>();
const used = new Set<WeakRef<Store>>();
const forget = new FinalizationRegistry<WeakRef<Store>>((ref) => used.delete(ref));

/**
 * Marks a store `rt.flush()` has nothing to do for (it keeps everything in memory): it is never
 * tracked. A `WeakRef` keeps its target alive until the current job ends, so tracking such stores
 * would keep every one a program makes within one job (a loop that never yields to the event
 * loop, a benchmark), and every session they hold, until it yields.
 */
export function neverFlushed(store: Store): void {
  seen.add(store);
}

export function trackStore(store: Store): void {
  if (seen.has(store)) return;
  seen.add(store);
  const ref = new WeakRef(store);
  used.add(ref);
  forget.register(store, ref);
}

/** Makes everything recorded so far durable in every store that recorded something. */
export async function flushStores(): Promise<void> {
  const stores: Store[] = [];
  for (const ref of used) {
    const store = ref.deref();
    if (store !== undefined) stores.push(store);
  }
  await Promise.all(stores.map((store) => store.flush()));
}
