/**
 * One shared promise executor instead of a closure per promise, for the promises the runtime
 * settles itself (one per call, one per session): `new Promise(capture)` runs it synchronously,
 * so the functions it leaves in `settleValue` and `settleError` are read back before anything
 * else can run.
 */
export let settleValue: (value: unknown) => void = () => {};
export let settleError: (error: unknown) => void = () => {};

export function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  settleValue = resolve;
  settleError = reject;
}
