import { type CallTree, describeSpan, type SpanDescription } from "@runtrace/core";
import { packageVersion } from "../paths.js";
import { ALL_PAYLOADS, type ExportOptions, nanos, planSpans, type SpanPlan } from "./spans.js";

type Attributes = SpanDescription["attributes"];

/** OTLP's span kinds and status codes (opentelemetry-proto `trace.proto`). */
const SPAN_KINDS: Record<SpanDescription["kind"], number> = {
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};
const STATUS_CODES: Record<SpanDescription["status"]["code"], 0 | 1 | 2> = { unset: 0, ok: 1, error: 2 };

/** An OTLP/JSON `AnyValue`. */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } };

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer (runtrace's calls are 1 or 3). */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: Array<{ timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }>;
  /** `code`: 0 unset, 1 ok, 2 error (runtrace's calls never have 1, ok; a recorded span may). */
  status: { code: 0 | 1 | 2; message?: string };
}

/** An OTLP/JSON `ExportTraceServiceRequest`, as `POST /v1/traces` with `application/json` takes it. */
export interface OtlpTraceRequest {
  resourceSpans: Array<{
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpSpan[] }>;
  }>;
}

function anyValue(value: unknown): OtlpAnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number" && Number.isFinite(value)) {
    return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { stringValue: String(value) };
}

const kv = (key: string, value: unknown): OtlpKeyValue => ({ key, value: anyValue(value) });

function keyValues(attributes: Attributes | undefined): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) out.push(kv(key, value));
  }
  return out;
}

function spanOf(plan: SpanPlan): OtlpSpan {
  const described = describeSpan(plan.record, ALL_PAYLOADS, plan.endMs);
  const span: OtlpSpan = {
    traceId: plan.traceId,
    spanId: plan.spanId,
    name: described.name,
    kind: SPAN_KINDS[described.kind],
    startTimeUnixNano: nanos(plan.startMs).toString(),
    endTimeUnixNano: nanos(Math.max(plan.startMs, plan.endMs)).toString(),
    attributes: keyValues(described.attributes),
    events: described.events.map((event) => ({
      timeUnixNano: nanos(event.time).toString(),
      name: event.name,
      attributes: keyValues(event.attributes),
    })),
    status:
      described.status.code === "error"
        ? { code: STATUS_CODES.error, message: described.status.message }
        : { code: STATUS_CODES[described.status.code] },
  };
  if (plan.parentSpanId !== undefined) span.parentSpanId = plan.parentSpanId;
  return span;
}

/**
 * A session as an OTLP/JSON `ExportTraceServiceRequest`: one resource per service (`service.name`
 * as in `toJaegerJson`), hex ids, nanosecond times as decimal strings. Each span is named, kinded
 * and attributed exactly as the live span of the same call (`rt.describeSpan`), a failure ending
 * with an `exception` event. POST it to any OTLP/HTTP endpoint's `/v1/traces` as `application/json`.
 *
 * @example
 * ```ts
 * await fetch("http://127.0.0.1:4318/v1/traces", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify(toOtlpJson(tree)),
 * });
 * ```
 */
export function toOtlpJson(tree: CallTree, options: ExportOptions = {}): OtlpTraceRequest {
  const byService = new Map<string, OtlpSpan[]>();
  for (const plan of planSpans(tree, options)) {
    let spans = byService.get(plan.service);
    if (spans === undefined) {
      spans = [];
      byService.set(plan.service, spans);
    }
    spans.push(spanOf(plan));
  }
  const writer = tree.writer;
  const scope = { name: "@runtrace/viz", version: packageVersion() };
  return {
    resourceSpans: [...byService].map(([service, spans]) => {
      const attributes = [kv("service.name", service), kv("runtrace.session.id", tree.root.sessionId)];
      if (writer?.host) attributes.push(kv("host.name", writer.host));
      if (writer !== undefined) attributes.push(kv("process.pid", writer.pid));
      return { resource: { attributes }, scopeSpans: [{ scope, spans }] };
    }),
  };
}
