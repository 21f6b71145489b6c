import {
  type Context,
  context,
  type HrTime,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { warnOnce } from "../recording/logger.js";
import { keptRecord } from "../recording/record.js";
import type { CallEvent, CallRecord } from "../recording/types.js";
import type { CallTracer } from "../runtime/tracer-hook.js";
import { contextInFrames } from "./frame-context-manager.js";
import type { SpanPayloads } from "./span-description.js";
import { endAttributes, exceptionEvent, spanStatus } from "./span-end.js";
import { eventAttributes } from "./span-events.js";
import { addRecordAttributes, renames, spanKindName, spanName, startAttributes } from "./span-shape.js";

/**
 * A call's span kind (see `spanKindName`) as OpenTelemetry's `SpanKind`. Here, not in span-shape:
 * what describes spans as data (and turns them back into records) loads no OpenTelemetry code.
 */
function spanKind(record: CallRecord): SpanKind {
  return spanKindName(record) === "client" ? SpanKind.CLIENT : SpanKind.INTERNAL;
}

/**
 * Epoch milliseconds as OpenTelemetry's `HrTime`, computed as the SDK's `millisToHrTime` does. Given
 * a number, the SDK's span first asks `performance.now()` whether it is a time since the process
 * started, then converts it the same way; an `HrTime` it takes as is (two clock reads a span fewer).
 */
function hrTime(epochMs: number): HrTime {
  return [Math.trunc(epochMs / 1000), Math.round((epochMs % 1000) * 1e6)];
}

/** Which recorded values a session's spans carry (decided when the session opens). */
export type PayloadSettings = SpanPayloads;

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
      { kind: spanKind(root), startTime: hrTime(root.start), attributes: startAttributes(root, false) },
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
    // A "span" record was recorded from a span that already exists: it is not exported again (its
    // children parent on it through the ids it recorded, see spanContextOf).
    if (record.kind === "span") return;
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
          startTime: hrTime(record.start),
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
      span.setAttributes(addRecordAttributes({}, changed));
      if (renames(record, changed)) span.updateName(spanName(record));
    } catch (error) {
      failed("attributes", error);
    }
  }

  get inFrames(): boolean {
    return contextInFrames();
  }

  contextOf(record: CallRecord): Context | undefined {
    return this.#running.get(record);
  }

  activate<T>(record: CallRecord, fn: () => T): T {
    const running = this.#running.get(record);
    return running === undefined ? fn() : context.with(running, fn);
  }

  #end(span: Span, record: CallRecord): void {
    // The cheap path: a call that ran once and succeeded only needs its end time (and output, when
    // payloads are on); everything else it carries was set when it started.
    const end = record.end;
    const attributes = endAttributes(record, this.#payloads.output);
    if (attributes !== undefined) span.setAttributes(attributes);
    if (record.status !== "ok") {
      const status = spanStatus(record);
      if (status.code === "error") span.setStatus({ code: SpanStatusCode.ERROR, message: status.message });
      const exception = exceptionEvent(record, end ?? record.start);
      if (exception !== undefined) span.addEvent(exception.name, exception.attributes, exception.time);
    }
    span.end(end === undefined ? undefined : hrTime(end));
  }
}

/**
 * A session tracer kept for as long as the process lives, so that its hidden class outlives the
 * traced sessions (see runtime/shapes.ts). Its one span is a non-recording one made here: no
 * provider, processor or exporter hears of it.
 */
export function keptTracer(): SessionTracer {
  const quiet = { startSpan: () => trace.wrapSpanContext(INVALID_SPAN_CONTEXT) } as unknown as Tracer;
  return new SessionTracer(quiet, keptRecord("session"), ROOT_CONTEXT, { input: false, output: false });
}
