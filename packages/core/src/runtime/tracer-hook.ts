import { warnOnce } from "../recording/logger.js";
import type { SessionSink } from "../recording/sink.js";
import type { CallRecord } from "../recording/types.js";
import { currentTraceContext } from "./trace-context.js";

/**
 * What the tracing bridge (tracing/) plugs into the runtime. It hears every change like a store
 * writer does, and also wraps each attempt so spans made inside a node nest under the node's span.
 * The runtime itself never imports OpenTelemetry.
 */
export interface CallTracer extends SessionSink {
  /**
   * Whether the tracing library keeps its context in runtrace's frames (see trace-context.ts): then
   * an attempt's frame carries {@link contextOf} and {@link activate} is not needed.
   */
  readonly inFrames: boolean;
  /** The context a call's function runs in (its span active), or `undefined` when it has no span. */
  contextOf(record: CallRecord): unknown;
  /** Runs `fn` with the span of `record` active (in the tracing library's own context). */
  activate<T>(record: CallRecord, fn: () => T): T;
}

/**
 * The trace context an attempt of `record` runs in: its span's when the tracer keeps contexts in
 * frames, else the one running now (what the caller's code had, `undefined` when nothing set one).
 */
export function attemptContext(tracer: CallTracer | undefined, record: CallRecord): unknown {
  if (tracer?.inFrames) {
    const own = tracer.contextOf(record);
    if (own !== undefined) return own;
  }
  return currentTraceContext();
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
