// performance.now() is monotonic and sub-millisecond; adding timeOrigin once gives epoch
// milliseconds that keep that precision (Date.now() only has whole milliseconds).
const origin = performance.timeOrigin;

/** Epoch milliseconds with sub-millisecond precision. */
export function now(): number {
  return origin + performance.now();
}
