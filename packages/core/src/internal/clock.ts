import { performance } from "node:perf_hooks";

// performance.now() is monotonic and sub-millisecond; adding timeOrigin once gives epoch
// milliseconds that keep that precision (Date.now() only has whole milliseconds). Imported from
// node:perf_hooks: the global `performance` is a lazy getter, read on every call otherwise.
const origin = performance.timeOrigin;
const monotonic = performance.now.bind(performance);

/** Epoch milliseconds with sub-millisecond precision. */
export function now(): number {
  return origin + monotonic();
}
