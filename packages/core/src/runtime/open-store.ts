import { warnOnce } from "../recording/logger.js";
import type { SessionSink } from "../recording/sink.js";
import type { CallTree } from "../recording/tree.js";
import type { Store } from "../stores/store.js";
import { trackStore } from "../stores/used-stores.js";

/**
 * Opens a session in `store` and returns the sink its changes go to (`null` when the store keeps
 * the live tree itself and needs to hear nothing). A store that cannot open a session is reported once, not thrown: the
 * session runs on without it.
 */
export function openStoreSink(store: Store, tree: CallTree): SessionSink | null {
  try {
    // Known from now on to `rt.flush()`, which makes every store that recorded something durable.
    trackStore(store);
    return store.openSession(tree);
  } catch (error) {
    warnOnce(
      `open:${store.description}`,
      `store ${store.description} could not open a session: ${String(error)}`,
    );
    return null;
  }
}
