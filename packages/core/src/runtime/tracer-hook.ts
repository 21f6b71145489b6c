import { warnOnce } from "../recording/logger.js";
import type { SessionSink } from "../recording/sink.js";
import type { CallRecord } from "../recording/types.js";

/**
 * What the tracing bridge (tracing/) plugs into the runtime. It hears every change like a store
 * writer does, and also wraps each attempt so spans made inside a node nest under the node's span.
 * The runtime itself never imports OpenTelemetry.
 */
export interface CallTracer extends SessionSink {
  /** Runs `fn` with the span of `record` active (in the tracing library's own context). */
  activate<T>(record: CallRecord, fn: () => T): T;
}

/** Decides, once per session, whether it is traced; returns its tracer or `undefined`. */
export type TracerFactory = (
  root: CallRecord,
  parent: Record<string, unknown> | undefined,
) => CallTracer | undefined;

let factory: TracerFactory | undefined;

/** Installs the tracing bridge (done by tracing/ when it loads). */
export function setTracerFactory(next: TracerFactory | undefined): void {
  factory = next;
}

/**
 * The tracer of a session starting now, or `undefined` when it is not traced. A bridge that fails
 * to start is reported, not thrown: the session runs untraced.
 */
export function tracerFor(
  root: CallRecord,
  parent: Record<string, unknown> | undefined,
): CallTracer | undefined {
  if (factory === undefined) return undefined;
  try {
    return factory(root, parent);
  } catch (error) {
    warnOnce("tracer", `tracing could not start for a session and is off for it: ${String(error)}`);
    return undefined;
  }
}
