import { type CallTree, describeSpan, type SpanDescription } from "@runtrace/core";
import { ALL_PAYLOADS, type ExportOptions, micros, nanos, planSpans } from "./spans.js";

type Attributes = SpanDescription["attributes"];

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

function tag(key: string, value: unknown): JaegerTag {
  if (typeof value === "boolean") return { key, type: "bool", value };
  if (typeof value === "number" && Number.isFinite(value)) {
    return Number.isSafeInteger(value) ? { key, type: "int64", value } : { key, type: "float64", value };
  }
  // Jaeger tags hold no arrays: they become JSON text, as Jaeger's own OTLP receiver writes them.
  return { key, type: "string", value: typeof value === "string" ? value : JSON.stringify(value) };
}

function tagsOf(attributes: Attributes | undefined, into: JaegerTag[]): JaegerTag[] {
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) into.push(tag(key, value));
  }
  return into;
}

/** A span as Jaeger shows one received over OTLP: `span.kind` and `otel.status_*` tags, events as logs. */
function jaegerParts(described: SpanDescription): Pick<JaegerSpan, "operationName" | "tags" | "logs"> {
  const tags = tagsOf(described.attributes, []);
  tags.push(tag("span.kind", described.kind));
  if (described.status.code === "error") {
    tags.push(tag("error", true), tag("otel.status_code", "ERROR"));
    if (described.status.message !== undefined)
      tags.push(tag("otel.status_description", described.status.message));
  } else if (described.status.code === "ok") {
    tags.push(tag("otel.status_code", "OK"));
  }
  const logs = described.events.map(
    (event): JaegerLog => ({
      timestamp: micros(event.time),
      fields: tagsOf(event.attributes, [tag("event", event.name)]),
    }),
  );
  return { operationName: described.name, tags, logs };
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
export function toJaegerJson(tree: CallTree, options: ExportOptions = {}): JaegerFile {
  const plans = planSpans(tree, options);
  const processes: Record<string, JaegerProcess> = {};
  const processIds = new Map<string, string>();
  const writer = tree.writer;
  const processOf = (service: string): string => {
    let id = processIds.get(service);
    if (id === undefined) {
      id = `p${processIds.size + 1}`;
      processIds.set(service, id);
      const tags = [tag("runtrace.session.id", tree.root.sessionId)];
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
      ...jaegerParts(describeSpan(plan.record, ALL_PAYLOADS, plan.endMs)),
      references:
        plan.parentSpanId === undefined
          ? []
          : [{ refType: "CHILD_OF", traceID: plan.traceId, spanID: plan.parentSpanId }],
      flags: 1,
      startTime: micros(plan.startMs),
      duration: Math.max(0, Number((nanos(plan.endMs) - nanos(plan.startMs)) / 1000n)),
      processID: processOf(plan.service),
      warnings: plan.parentSpanId === undefined ? warnings : null,
    }),
  );
  return { data: [{ traceID: plans[0]!.traceId, spans, processes, warnings: null }] };
}
