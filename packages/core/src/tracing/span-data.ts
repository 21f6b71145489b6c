/**
 * A span as plain data: what an OpenTelemetry span says, whoever made it and however it arrived. A
 * span decoded from an OTLP request and a live SDK span (`ReadableSpan`) both convert to it, so one
 * rule (`rt.spanRecord`) turns any span into a record. No OpenTelemetry import: it is only data.
 */

/** A span's kind, as OpenTelemetry names them (OTLP's `SPAN_KIND_UNSPECIFIED` is `internal`). */
export type SpanKindName = "internal" | "server" | "client" | "producer" | "consumer";

/** Every span kind, for checks. */
export const SPAN_KIND_NAMES: ReadonlySet<string> = new Set<SpanKindName>([
  "internal",
  "server",
  "client",
  "producer",
  "consumer",
]);

/** A span's status: unset, ok (set so by the application), or error with its message. */
export interface SpanStatusData {
  code: "unset" | "ok" | "error";
  message?: string;
}

/** One event of a span. */
export interface SpanEventData {
  name: string;
  /** Epoch milliseconds with sub-millisecond precision. */
  time: number;
  attributes: Record<string, unknown>;
}

/** A span as plain data (see the module comment). */
export interface SpanData {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  /** The parent span's id; absent (or empty) for a trace's root span. */
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  /** Epoch milliseconds with sub-millisecond precision. */
  start: number;
  /** Epoch milliseconds; `undefined` for a span seen before its end. */
  end: number | undefined;
  /** Attribute values as OpenTelemetry has them (strings, numbers, booleans, arrays of them), or any value. */
  attributes: Record<string, unknown>;
  events: SpanEventData[];
  status: SpanStatusData;
  /** The attributes of the resource that made the span (`service.name`, ...). */
  resource?: Record<string, unknown>;
}

/** The `service.name` of a span's resource, when it has one. */
export function spanService(span: SpanData): string | undefined {
  const name = span.resource?.["service.name"];
  return typeof name === "string" && name !== "" ? name : undefined;
}

/** Whether the span starts its trace: it has no parent span. */
export function isTraceRoot(span: SpanData): boolean {
  const parent = span.parentSpanId;
  return parent === undefined || parent === "" || /^0*$/.test(parent);
}
