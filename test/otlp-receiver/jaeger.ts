/**
 * Conversion of received OTLP spans into the trace model Jaeger UI's JSON API returns
 * (`GET /api/traces/{id}`), following Jaeger's OTLP → Jaeger translation, so a test can assert exactly
 * what a user would see in Jaeger: operation names, references, µs times, tags, logs and processes.
 *
 * @packageDocumentation
 */
import type { ReceivedSpan } from "./decode.js";

/** Jaeger tag value types. Arrays and maps have no Jaeger type: they become JSON strings. */
export type JaegerTagType = "string" | "bool" | "int64" | "float64" | "binary";

/** A span tag, log field or process tag. */
export interface JaegerTag {
  key: string;
  type: JaegerTagType;
  /** `binary` values are base64, as Go's JSON encoding of `[]byte`. */
  value: string | boolean | number;
}

/** A span reference: the parent (`CHILD_OF`) or a span link (`FOLLOWS_FROM`). */
export interface JaegerReference {
  refType: "CHILD_OF" | "FOLLOWS_FROM";
  traceID: string;
  spanID: string;
}

/** A span event, as Jaeger shows it under "Logs". */
export interface JaegerLog {
  /** Microseconds since the epoch. */
  timestamp: number;
  fields: JaegerTag[];
}

/** One span in Jaeger UI's JSON. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[];
  /** Microseconds since the epoch (nanoseconds / 1000, truncated). */
  startTime: number;
  /** Microseconds ((end - start) nanoseconds / 1000, truncated). */
  duration: number;
  tags: JaegerTag[];
  logs: JaegerLog[];
  /** Key into {@link JaegerTrace.processes}. */
  processID: string;
  warnings: string[] | null;
  flags: number;
}

/** The emitting process: `service.name` plus the other resource attributes as tags. */
export interface JaegerProcess {
  serviceName: string;
  tags: JaegerTag[];
}

/** One trace: all spans sharing a trace id, and the processes they reference. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

/** The envelope of Jaeger's `/api/traces` answers. */
export interface JaegerTraces {
  data: JaegerTrace[];
  total: number;
  limit: number;
  offset: number;
  errors: null;
}

// Names Jaeger uses for OTLP span kinds 1..5 (0, unspecified, gets no tag).
const SPAN_KIND_NAMES = ["", "internal", "server", "client", "producer", "consumer"];
// What Jaeger shows when a resource has no service.name.
const NO_SERVICE_NAME = "OTLPResourceNoServiceName";

/**
 * Jaeger prints a trace id whose high 64 bits are zero with 16 digits (its `TraceID.String()`), so the
 * UI URL of such a trace is the short form; every other id keeps its 32 digits.
 */
function jaegerTraceId(hex: string): string {
  return hex.startsWith("0000000000000000") ? hex.slice(16) : hex;
}

function micros(ns: bigint): number {
  return Number(ns / 1000n);
}

/** Arrays and maps become JSON text (pcommon `AsString()`), with bytes as base64 and exact integers. */
function asJsonString(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
    if (typeof v === "bigint") return Number(v);
    return v;
  });
}

function toTag(key: string, value: unknown): JaegerTag {
  switch (typeof value) {
    case "string":
      return { key, type: "string", value };
    case "boolean":
      return { key, type: "bool", value };
    case "bigint":
      return { key, type: "int64", value: Number(value) };
    case "number":
      // The normalised model keeps ints and doubles as numbers; the OTel JS exporters themselves
      // encode integral numbers as int_value, so this is what Jaeger shows for JS producers.
      return { key, type: Number.isInteger(value) ? "int64" : "float64", value };
  }
  if (value instanceof Uint8Array)
    return { key, type: "binary", value: Buffer.from(value).toString("base64") };
  return { key, type: "string", value: value === null ? "" : asJsonString(value) };
}

function toTags(attributes: Record<string, unknown>): JaegerTag[] {
  return Object.entries(attributes).map(([key, value]) => toTag(key, value));
}

/** Span tags in Jaeger's order: attributes, scope, kind, then the status-derived tags. */
function spanTags(span: ReceivedSpan): JaegerTag[] {
  const tags = toTags(span.attributes);
  if (span.scope.name !== "") tags.push(toTag("otel.scope.name", span.scope.name));
  if (span.scope.version !== undefined) tags.push(toTag("otel.scope.version", span.scope.version));
  const kind = SPAN_KIND_NAMES[span.kind];
  if (kind) tags.push(toTag("span.kind", kind));
  if (span.status.code === 1) tags.push(toTag("otel.status_code", "OK"));
  if (span.status.code === 2) {
    // `error=true` is what makes Jaeger UI paint the span red.
    tags.push(toTag("otel.status_code", "ERROR"), toTag("error", true));
  }
  if (span.status.message !== undefined) tags.push(toTag("otel.status_description", span.status.message));
  return tags;
}

function toJaegerSpan(span: ReceivedSpan, processID: string): JaegerSpan {
  const references: JaegerReference[] = [];
  if (span.parentSpanId !== undefined) {
    references.push({ refType: "CHILD_OF", traceID: jaegerTraceId(span.traceId), spanID: span.parentSpanId });
  }
  for (const link of span.links) {
    references.push({ refType: "FOLLOWS_FROM", traceID: jaegerTraceId(link.traceId), spanID: link.spanId });
  }
  return {
    traceID: jaegerTraceId(span.traceId),
    spanID: span.spanId,
    operationName: span.name,
    references,
    startTime: micros(span.startNs),
    duration: micros(span.endNs - span.startNs),
    tags: spanTags(span),
    // Jaeger puts the event name first, then the event attributes.
    logs: span.events.map((event) => ({
      timestamp: micros(event.timeNs),
      fields: [
        ...(event.name !== "" && !("event" in event.attributes) ? [toTag("event", event.name)] : []),
        ...toTags(event.attributes),
      ],
    })),
    processID,
    warnings: null,
    // Only sampled spans are exported, and Jaeger's JSON carries the sampled bit here.
    flags: 1,
  };
}

function toProcess(resource: Record<string, unknown>): JaegerProcess {
  const { "service.name": serviceName, ...rest } = resource;
  return {
    serviceName: typeof serviceName === "string" && serviceName !== "" ? serviceName : NO_SERVICE_NAME,
    tags: toTags(rest),
  };
}

/**
 * Groups spans into Jaeger traces (one per trace id, in order of first arrival) and converts each span.
 * Processes are deduplicated per trace and keyed `p1`, `p2`, … as Jaeger's query service does.
 */
export function toJaeger(spans: ReceivedSpan[]): JaegerTraces {
  const traces = new Map<string, { trace: JaegerTrace; processKeys: Map<string, string> }>();
  for (const span of spans) {
    let entry = traces.get(span.traceId);
    if (entry === undefined) {
      const trace: JaegerTrace = {
        traceID: jaegerTraceId(span.traceId),
        spans: [],
        processes: {},
        warnings: null,
      };
      entry = { trace, processKeys: new Map() };
      traces.set(span.traceId, entry);
    }
    const process = toProcess(span.resource);
    const identity = JSON.stringify(process);
    let processID = entry.processKeys.get(identity);
    if (processID === undefined) {
      processID = `p${entry.processKeys.size + 1}`;
      entry.processKeys.set(identity, processID);
      entry.trace.processes[processID] = process;
    }
    entry.trace.spans.push(toJaegerSpan(span, processID));
  }
  const data = [...traces.values()].map((entry) => entry.trace);
  return { data, total: 0, limit: 0, offset: 0, errors: null };
}
