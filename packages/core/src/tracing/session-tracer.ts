import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Span,
  type SpanContext,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { warnOnce } from "../internal/logger.js";
import type { CallEvent, CallRecord } from "../recording/types.js";
import type { CallTracer } from "../runtime/tracer-hook.js";
import { addAttributes, jsonText } from "./attributes.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_RUNTRACE_ATTEMPTS,
  ATTR_RUNTRACE_CANCEL_REASON,
  ATTR_RUNTRACE_OUTPUT,
  ATTR_RUNTRACE_STATUS,
  ATTR_RUNTRACE_WAIT_MS,
  EVENT_EXCEPTION,
} from "./semconv.js";
import { eventAttributes } from "./span-events.js";
import { renames, spanKind, spanName, startAttributes } from "./span-shape.js";

/** Which recorded values a session's spans carry (decided when the session opens). */
export interface PayloadSettings {
  input: boolean;
  output: boolean;
}

function failed(hook: string, error: unknown): void {
  warnOnce(`tracing:${hook}`, `tracing: ${hook} failed, a span may be incomplete: ${String(error)}`);
}

/**
 * The spans of one session. Each running call's span lives in a map keyed by its record, as the
 * context that has it active (what `activate` enters and what its children start under); the entry
 * goes when the span ends, so a span ends exactly once. Parents are found by record, never through
 * the active context, so the span tree is the call tree whatever code inside a node does.
 */
export class SessionTracer implements CallTracer {
  readonly #tracer: Tracer;
  readonly #payloads: PayloadSettings;
  readonly #running = new Map<CallRecord, Context>();
  /** The root span's context: trace flags and trace state for calls whose parent already ended. */
  readonly #root: SpanContext;

  constructor(tracer: Tracer, root: CallRecord, parent: Context, payloads: PayloadSettings) {
    this.#tracer = tracer;
    this.#payloads = payloads;
    const span = tracer.startSpan(
      spanName(root),
      { kind: spanKind(root), startTime: root.start, attributes: startAttributes(root, false) },
      parent,
    );
    this.#root = span.spanContext();
    root.traceId = this.#root.traceId;
    root.spanId = this.#root.spanId;
    this.#running.set(root, trace.setSpan(parent, span));
  }

  /**
   * False when the tracer made no real span (a no-op provider registered on purpose): the session
   * is then not traced at all.
   */
  get valid(): boolean {
    return isSpanContextValid(this.#root);
  }

  /** The span context of a call of this session (running or ended), for `rt.inject`. */
  spanContextOf(record: CallRecord): SpanContext | undefined {
    const running = this.#running.get(record);
    if (running !== undefined) return trace.getSpanContext(running);
    if (record.traceId === undefined || record.spanId === undefined) return undefined;
    return { ...this.#root, traceId: record.traceId, spanId: record.spanId, isRemote: false };
  }

  started(record: CallRecord, parent: CallRecord): void {
    try {
      const active = context.active();
      let base = this.#running.get(parent);
      if (base === undefined) {
        // A stray call whose parent already ended: rebuild the parent from the ids it recorded.
        const ids = this.spanContextOf(parent);
        base = ids === undefined ? active : trace.setSpanContext(active, ids);
      } else if (active !== base) {
        // Keep what the caller's code put in its context (baggage) but parent on the caller's span,
        // even when that code opened spans of its own around this call.
        base = trace.setSpan(active, trace.getSpan(base)!);
      }
      const span = this.#tracer.startSpan(
        spanName(record),
        {
          kind: spanKind(record),
          startTime: record.start,
          attributes: startAttributes(record, this.#payloads.input),
        },
        base,
      );
      const ids = span.spanContext();
      record.traceId = ids.traceId;
      record.spanId = ids.spanId;
      this.#running.set(record, trace.setSpan(base, span));
    } catch (error) {
      failed("started", error);
    }
  }

  ended(record: CallRecord): void {
    const running = this.#running.get(record);
    if (running === undefined) return;
    this.#running.delete(record);
    try {
      this.#end(trace.getSpan(running)!, record);
    } catch (error) {
      failed("ended", error);
    }
  }

  closed(root: CallRecord): void {
    // Calls still running keep their spans and end them when they settle.
    this.ended(root);
  }

  event(record: CallRecord, event: CallEvent): void {
    const running = this.#running.get(record);
    if (running === undefined) return;
    try {
      trace.getSpan(running)!.addEvent(event.name, eventAttributes(event), event.time);
    } catch (error) {
      failed("event", error);
    }
  }

  attributes(record: CallRecord, changed: Record<string, unknown>): void {
    const running = this.#running.get(record);
    if (running === undefined) return;
    try {
      const span = trace.getSpan(running)!;
      span.setAttributes(addAttributes({}, changed));
      if (renames(record, changed)) span.updateName(spanName(record));
    } catch (error) {
      failed("attributes", error);
    }
  }

  activate<T>(record: CallRecord, fn: () => T): T {
    const running = this.#running.get(record);
    return running === undefined ? fn() : context.with(running, fn);
  }

  #end(span: Span, record: CallRecord): void {
    // The cheap path: a call that ran once and succeeded only needs its end time (and output, when
    // payloads are on); everything else it carries was set when it started. Retried calls, and calls
    // that never ran (cancelled while waiting), say how many runs they had.
    const status = record.status;
    if (record.kind !== "session" && record.attempts !== 1) {
      span.setAttribute(ATTR_RUNTRACE_ATTEMPTS, record.attempts);
    }
    if (record.waitMs !== undefined) span.setAttribute(ATTR_RUNTRACE_WAIT_MS, record.waitMs);
    if (status === "ok") {
      if (this.#payloads.output && record.output !== undefined) {
        span.setAttribute(ATTR_RUNTRACE_OUTPUT, jsonText(record.output));
      }
    } else {
      this.#notOk(span, record);
    }
    span.end(record.end);
  }

  #notOk(span: Span, record: CallRecord): void {
    const status = record.status;
    const error = record.error;
    const attributes: Attributes = { [ATTR_RUNTRACE_STATUS]: status };
    if (status === "error" || status === "timeout") {
      // Red in Jaeger: the call itself failed. The exception event is what recordException writes.
      const name = error?.name ?? "Error";
      const message = error?.message ?? status;
      attributes[ATTR_ERROR_TYPE] = name;
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      const exception: Attributes = { [ATTR_EXCEPTION_TYPE]: name, [ATTR_EXCEPTION_MESSAGE]: message };
      if (error?.stack !== undefined) exception[ATTR_EXCEPTION_STACKTRACE] = error.stack;
      span.addEvent(EVENT_EXCEPTION, exception, record.end);
    } else if (status === "cancelled" && error !== undefined) {
      // Cancelled calls were stopped by something else (a timeout above them, a failing sibling, a
      // cancelled session): their status stays unset so that only the cause is red.
      attributes[ATTR_RUNTRACE_CANCEL_REASON] = error.message;
    }
    span.setAttributes(attributes);
  }
}
