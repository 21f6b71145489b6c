/**
 * Objects kept for as long as the process lives, only for their hidden classes: V8 frees the hidden
 * class of a class's instances once none is left at a major collection, and throws away the
 * optimized code built for it (see runtime/shapes.ts). One entry per key, made the first time.
 */
const kept = new Map<string, unknown>();

/** Makes `make()` once for `key` and keeps it. Never throws: the objects only save time. */
export function keepOnce(key: string, make: () => unknown): void {
  if (kept.has(key)) return;
  kept.set(key, undefined); // so that what `make` itself makes does not make another
  try {
    kept.set(key, make());
  } catch {
    // Calls are then only slower after an idle collection.
  }
}
