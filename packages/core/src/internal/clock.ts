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

/**
 * Whole microseconds since the process's time origin. A small integer, which V8 keeps inside the
 * object that stores it, where an epoch-milliseconds number is a separate heap object.
 */
export function toMicros(epochMs: number): number {
  return Math.round((epochMs - origin) * 1000);
}

/** Epoch milliseconds of a `toMicros` value. */
export function fromMicros(micros: number): number {
  return origin + micros / 1000;
}
