import type { CallEvent, CallRecord, CallTree } from "@runtrace/core";
import { asText, isFailure, planSpans, type SpanPlan } from "./spans.js";

/** A tag of a Jaeger span or process. */
export interface JaegerTag {
  key: string;
  type: "string" | "bool" | "int64" | "float64";
  value: string | boolean | number;
}

export interface JaegerReference {
  refType: "CHILD_OF";
  traceID: string;
  spanID: string;
}

export interface JaegerLog {
  /** Microseconds since the epoch. */
  timestamp: number;
  fields: JaegerTag[];
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[];
  flags: number;
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: JaegerTag[];
  logs: JaegerLog[];
  processID: string;
  warnings: string[] | null;
}

export interface JaegerProcess {
  serviceName: string;
  tags: JaegerTag[];
}

/** The JSON file Jaeger UI opens ("Search" → "JSON File"): `{ data: [trace] }`. */
export interface JaegerFile {
  data: Array<{
    traceID: string;
    spans: JaegerSpan[];
    processes: Record<string, JaegerProcess>;
    warnings: string[] | null;
  }>;
}

const micros = (ms: number) => Math.round(ms * 1000);

function tag(key: string, value: unknown): JaegerTag {
  if (typeof value === "boolean") return { key, type: "bool", value };
  if (typeof value === "number" && Number.isFinite(value)) {
    return Number.isSafeInteger(value) ? { key, type: "int64", value } : { key, type: "float64", value };
  }
  return { key, type: "string", value: asText(value) };
}

function tagsOf(plan: SpanPlan): JaegerTag[] {
  const record = plan.record;
  const tags: JaegerTag[] = [
    tag("runtrace.kind", record.kind),
    tag("runtrace.status", record.status),
    tag("runtrace.call_id", record.id),
    tag("span.kind", "internal"),
  ];
  if (record.parentId === null) tags.push(tag("runtrace.session_id", record.sessionId));
  if (record.attempts > 0) tags.push(tag("runtrace.attempts", record.attempts));
  if (record.waitMs !== undefined) tags.push(tag("runtrace.wait_ms", record.waitMs));
  if (record.end === undefined) tags.push(tag("runtrace.running", true));
  if (isFailure(record)) {
    tags.push(tag("error", true), tag("otel.status_code", "ERROR"));
    if (record.error !== undefined) {
      tags.push(tag("error.type", record.error.name), tag("otel.status_description", record.error.message));
    }
  }
  for (const [key, value] of Object.entries(record.attributes)) tags.push(tag(key, value));
  if (record.input !== undefined) tags.push(tag("runtrace.input", asText(record.input)));
  if (record.output !== undefined) tags.push(tag("runtrace.output", asText(record.output)));
  return tags;
}

function logOf(event: CallEvent): JaegerLog {
  const fields: JaegerTag[] = [tag("event", event.name)];
  const data = event.data;
  if (data !== null && typeof data === "object" && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) fields.push(tag(key, value));
  } else if (data !== undefined) {
    fields.push(tag("data", data));
  }
  return { timestamp: micros(event.time), fields };
}

function logsOf(plan: SpanPlan): JaegerLog[] {
  const record: CallRecord = plan.record;
  const logs = record.events.map(logOf);
  const error = record.error;
  if (error !== undefined) {
    const fields = [tag("event", "error"), tag("error.kind", error.name), tag("message", error.message)];
    if (error.stack !== undefined) fields.push(tag("stack", error.stack));
    logs.push({ timestamp: micros(plan.endMs), fields });
  }
  return logs;
}

/**
 * A session as a Jaeger JSON file (what Jaeger UI loads with "JSON File"): one trace whose spans
 * are the session's root and every call, times in microseconds, hex ids, `CHILD_OF` references to
 * each caller, and one process per service (a record's `service.name` attribute, else its caller's,
 * else `runtrace`).
 *
 * @example
 * ```ts
 * const tree = await rt.readSession("latest-id");
 * writeFileSync("trace.json", JSON.stringify(toJaegerJson(tree)));
 * ```
 */
export function toJaegerJson(tree: CallTree): JaegerFile {
  const plans = planSpans(tree);
  const processes: Record<string, JaegerProcess> = {};
  const processIds = new Map<string, string>();
  const writer = tree.writer;
  const processOf = (service: string): string => {
    let id = processIds.get(service);
    if (id === undefined) {
      id = `p${processIds.size + 1}`;
      processIds.set(service, id);
      const tags = [tag("runtrace.session_id", tree.root.sessionId)];
      if (writer?.host) tags.push(tag("host.name", writer.host));
      if (writer !== undefined) tags.push(tag("process.pid", writer.pid));
      processes[id] = { serviceName: service, tags };
    }
    return id;
  };
  const warnings = tree.warnings.length > 0 ? [...tree.warnings] : null;
  const spans = plans.map(
    (plan): JaegerSpan => ({
      traceID: plan.traceId,
      spanID: plan.spanId,
      operationName: plan.record.node,
      references:
        plan.parentSpanId === undefined
          ? []
          : [{ refType: "CHILD_OF", traceID: plan.traceId, spanID: plan.parentSpanId }],
      flags: 1,
      startTime: micros(plan.startMs),
      duration: Math.max(0, micros(plan.endMs) - micros(plan.startMs)),
      tags: tagsOf(plan),
      logs: logsOf(plan),
      processID: processOf(plan.service),
      warnings: plan.parentSpanId === undefined ? warnings : null,
    }),
  );
  return { data: [{ traceID: plans[0]!.traceId, spans, processes, warnings: null }] };
}
