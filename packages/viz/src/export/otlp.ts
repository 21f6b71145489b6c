import type { CallEvent, CallTree } from "@runtrace/core";
import { packageVersion } from "../paths.js";
import { asText, isFailure, planSpans, type SpanPlan } from "./spans.js";

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
  /** 1 = SPAN_KIND_INTERNAL. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: Array<{ timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }>;
  /** `code`: 0 unset, 1 ok, 2 error. */
  status: { code: 0 | 1 | 2; message?: string };
}

/** An OTLP/JSON `ExportTraceServiceRequest`, as `POST /v1/traces` with `application/json` takes it. */
export interface OtlpTraceRequest {
  resourceSpans: Array<{
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpSpan[] }>;
  }>;
}

/** Epoch milliseconds (with a fraction) as decimal nanoseconds, exact past 2^53. */
function nanos(ms: number): string {
  const whole = Math.floor(ms);
  const fraction = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(fraction)).toString();
}

function anyValue(value: unknown): OtlpAnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number" && Number.isFinite(value)) {
    return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  if (Array.isArray(value) && value.every((item) => item === null || typeof item !== "object")) {
    return { arrayValue: { values: value.map(anyValue) } };
  }
  return { stringValue: asText(value) };
}

const kv = (key: string, value: unknown): OtlpKeyValue => ({ key, value: anyValue(value) });

function attributesOf(plan: SpanPlan): OtlpKeyValue[] {
  const record = plan.record;
  const attributes = [kv("runtrace.kind", record.kind), kv("runtrace.status", record.status)];
  attributes.push(kv("runtrace.call_id", record.id));
  if (record.parentId === null) attributes.push(kv("runtrace.session_id", record.sessionId));
  if (record.attempts > 0) attributes.push(kv("runtrace.attempts", record.attempts));
  if (record.waitMs !== undefined) attributes.push(kv("runtrace.wait_ms", record.waitMs));
  if (record.end === undefined) attributes.push(kv("runtrace.running", true));
  for (const [key, value] of Object.entries(record.attributes)) {
    if (key !== "service.name") attributes.push(kv(key, value));
  }
  if (record.input !== undefined) attributes.push(kv("runtrace.input", asText(record.input)));
  if (record.output !== undefined) attributes.push(kv("runtrace.output", asText(record.output)));
  return attributes;
}

function eventOf(event: CallEvent): OtlpSpan["events"][number] {
  const data = event.data;
  let attributes: OtlpKeyValue[] = [];
  if (data !== null && typeof data === "object" && !Array.isArray(data)) {
    attributes = Object.entries(data).map(([key, value]) => kv(key, value));
  } else if (data !== undefined) {
    attributes = [kv("data", data)];
  }
  return { timeUnixNano: nanos(event.time), name: event.name, attributes };
}

function spanOf(plan: SpanPlan): OtlpSpan {
  const record = plan.record;
  const events = record.events.map(eventOf);
  const error = record.error;
  if (error !== undefined) {
    const attributes = [kv("exception.type", error.name), kv("exception.message", error.message)];
    if (error.stack !== undefined) attributes.push(kv("exception.stacktrace", error.stack));
    events.push({ timeUnixNano: nanos(plan.endMs), name: "exception", attributes });
  }
  const failed = isFailure(record);
  const span: OtlpSpan = {
    traceId: plan.traceId,
    spanId: plan.spanId,
    name: record.node,
    kind: 1,
    startTimeUnixNano: nanos(plan.startMs),
    endTimeUnixNano: nanos(Math.max(plan.startMs, plan.endMs)),
    attributes: attributesOf(plan),
    events,
    status: failed
      ? { code: 2, message: error?.message ?? record.status }
      : { code: record.status === "ok" ? 1 : 0 },
  };
  if (plan.parentSpanId !== undefined) span.parentSpanId = plan.parentSpanId;
  return span;
}

/**
 * A session as an OTLP/JSON `ExportTraceServiceRequest`: one resource per service (`service.name`
 * as in `toJaegerJson`), hex ids, nanosecond times as decimal strings, status and events (an error
 * becomes an `exception` event). POST it to any OTLP/HTTP endpoint's `/v1/traces` as
 * `application/json`.
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
export function toOtlpJson(tree: CallTree): OtlpTraceRequest {
  const byService = new Map<string, OtlpSpan[]>();
  for (const plan of planSpans(tree)) {
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
      const attributes = [kv("service.name", service), kv("runtrace.session_id", tree.root.sessionId)];
      if (writer?.host) attributes.push(kv("host.name", writer.host));
      if (writer !== undefined) attributes.push(kv("process.pid", writer.pid));
      return { resource: { attributes }, scopeSpans: [{ scope, spans }] };
    }),
  };
}
