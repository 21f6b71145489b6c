/**
 * The tracing library's context kept in runtrace's own storage. On Node 20 every enabled
 * AsyncLocalStorage costs every promise of the process, and a traced call used to enter two (the
 * frame, then the span's context in OpenTelemetry's). When the bridge's context manager is the
 * global one, a call's frame carries its span's context instead, and `context.with` anywhere enters
 * a copy of the running frame with the new context (outside any call, a store holding only the
 * context). The runtime never looks inside the context: it only keeps it.
 */
import { Frame, storage, TraceContextOnly } from "./frame.js";

/** The trace context of the running code, or `undefined` when none was set. */
export function currentTraceContext(): unknown {
  return storage.getStore()?.traceContext;
}

/** Runs `fn` with `traceContext` as the running code's trace context; the frame stays the same. */
export function runWithTraceContext<A extends unknown[], R>(
  traceContext: unknown,
  fn: (...args: A) => R,
  ...args: A
): R {
  const store = storage.getStore();
  if (store !== undefined && store.traceContext === traceContext) return storage.run(store, fn, ...args);
  const next =
    store instanceof Frame ? store.withTraceContext(traceContext) : new TraceContextOnly(traceContext);
  return storage.run(next, fn, ...args);
}
