import { type CallTree, describeSpan, type SpanDescription } from "@runtrace/core";
import { packageVersion } from "../paths.js";
import { ALL_PAYLOADS, type ExportOptions, nanos, planSpans, type SpanPlan } from "./spans.js";

type Attributes = SpanDescription["attributes"];

/** OTLP's span kinds and status codes (opentelemetry-proto `trace.proto`). */
const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_CLIENT = 3;
const STATUS_CODE_UNSET = 0;
const STATUS_CODE_ERROR = 2;

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
  /** 1 = SPAN_KIND_INTERNAL, 3 = SPAN_KIND_CLIENT. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: Array<{ timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }>;
  /** `code`: 0 unset, 2 error (runtrace never sets 1, ok, as its live spans do not either). */
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
    kind: described.kind === "client" ? SPAN_KIND_CLIENT : SPAN_KIND_INTERNAL,
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
        ? { code: STATUS_CODE_ERROR, message: described.status.message }
        : { code: STATUS_CODE_UNSET },
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
