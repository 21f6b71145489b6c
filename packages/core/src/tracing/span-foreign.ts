/**
 * Spans runtrace did not make, as records of kind `"span"`, and back: a `"span"` record is exported
 * as the span it was (its name, kind, attributes, events and status), never as a runtrace call.
 */
import { currentSettings } from "../config.js";
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_OTEL_STATUS_CODE,
  ATTR_RUNTRACE_RUNNING,
  ATTR_SERVICE_NAME,
  ATTR_SPAN_KIND,
  EVENT_EXCEPTION,
} from "../internal/semconv.js";
import { storedRecord } from "../recording/record.js";
import { sanitizeAttributes, sanitizeError, sanitizeName } from "../recording/sanitize.js";
import { failed } from "../recording/status.js";
import type { CallEvent, CallRecord, RecordedError } from "../recording/types.js";
import { addAttributes, hasKeys } from "./attributes.js";
import {
  SPAN_KIND_NAMES,
  type SpanData,
  type SpanKindName,
  type SpanStatusData,
  spanService,
} from "./span-data.js";
import type { SpanDescription } from "./span-description.js";
import type { SpanEventDescription } from "./span-end.js";
import { eventAttributes } from "./span-events.js";

/** Where a span's record goes and what it is called there (see `rt.spanRecord`). */
export interface SpanRecordOptions {
  /** The session the record is stored in. */
  sessionId: string;
  /** The id of the record it goes under; `null` for a session's root record. */
  parentId: string | null;
  /**
   * The record's id. @default the call id of one of runtrace's calls of session `runtraceSession`
   * (but never `"0"`, the session root's), else the span id
   */
  id?: string;
  /**
   * The runtrace session whose calls keep their call ids: the one the session is a copy of (a
   * trace of that session stored under another id when its own file is there already).
   * @default sessionId
   */
  runtraceSession?: string;
  /**
   * The service of the record it goes under: a span whose resource names another `service.name`
   * records it as an attribute (so exports put it under its own service again).
   */
  service?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The last `exception` event's error, as span.recordException wrote it. */
function exceptionOf(span: SpanData): RecordedError | undefined {
  for (let i = span.events.length - 1; i >= 0; i--) {
    const event = span.events[i]!;
    if (event.name !== EVENT_EXCEPTION) continue;
    const error: RecordedError = {
      name: text(event.attributes[ATTR_EXCEPTION_TYPE]) ?? "Error",
      message: text(event.attributes[ATTR_EXCEPTION_MESSAGE]) ?? "",
    };
    const stack = text(event.attributes[ATTR_EXCEPTION_STACKTRACE]);
    if (stack !== undefined) error.stack = stack;
    return error;
  }
  return undefined;
}

/**
 * The error a failed span ended with: its last `exception` event's type and stack, and its status
 * message (else the exception's message).
 */
export function spanError(span: SpanData): RecordedError {
  const exception = exceptionOf(span);
  const message = text(span.status.message) ?? text(exception?.message) ?? "the span's status is ERROR";
  const error: RecordedError = { name: exception?.name ?? "Error", message };
  if (exception?.stack !== undefined) error.stack = exception.stack;
  return error;
}

/** Sets a record's status, end and error from its span's. */
export function settleFromSpan(record: CallRecord, span: SpanData): void {
  record.end = span.end;
  if (span.end === undefined) record.status = "running";
  else if (span.status.code === "error") {
    record.status = "error";
    record.error = sanitizeError(spanError(span), currentSettings().sanitize);
  } else record.status = "ok";
}

/**
 * A span runtrace did not make as a record of kind `"span"`: named after the span, with its
 * attributes (redacted and cut like any recorded value, plus `span.kind` when it is not `internal`
 * and `otel.status_code: "OK"` when the application set that status), its events (exceptions
 * included) with their attributes as data, its times, and its status: OK and UNSET are `ok`, ERROR
 * is `error` with the status message and the last `exception` event as the recorded error.
 */
export function foreignRecord(span: SpanData, options: SpanRecordOptions): CallRecord {
  const { sanitize } = currentSettings();
  const record = storedRecord(
    options.id ?? span.spanId,
    options.parentId,
    options.sessionId,
    sanitizeName(span.name, sanitize),
    "span",
    span.start,
    undefined,
  );
  record.attempts = 1;
  record.traceId = span.traceId;
  record.spanId = span.spanId;
  const attributes = hasKeys(span.attributes) ? sanitizeAttributes(span.attributes, sanitize) : {};
  if (span.kind !== "internal") attributes[ATTR_SPAN_KIND] = span.kind;
  if (span.status.code === "ok") attributes[ATTR_OTEL_STATUS_CODE] = "OK";
  const service = spanService(span);
  if (service !== undefined && service !== options.service) attributes[ATTR_SERVICE_NAME] = service;
  if (hasKeys(attributes)) record.attributes = attributes;
  if (span.events.length > 0) {
    record.events = span.events.map((event): CallEvent => {
      const out: CallEvent = { name: sanitizeName(event.name, sanitize), time: event.time };
      if (hasKeys(event.attributes)) out.data = sanitizeAttributes(event.attributes, sanitize);
      return out;
    });
  }
  settleFromSpan(record, span);
  return record;
}

/** The span kind a `"span"` record keeps in `span.kind`. */
function kindOf(record: CallRecord): SpanKindName {
  const kind = record.attributes[ATTR_SPAN_KIND];
  return typeof kind === "string" && SPAN_KIND_NAMES.has(kind) ? (kind as SpanKindName) : "internal";
}

function statusOf(record: CallRecord): SpanStatusData {
  if (failed(record.status)) return { code: "error", message: record.error?.message ?? record.status };
  return record.attributes[ATTR_OTEL_STATUS_CODE] === "OK" ? { code: "ok" } : { code: "unset" };
}

/**
 * A `"span"` record as the span it was: its name, the kind and status it keeps, its attributes
 * (without `span.kind`, `otel.status_code` and `service.name`, which say where it belongs), its
 * events as they were (its `exception` events among them), and `runtrace.running` when it had not
 * ended.
 */
export function describeForeign(record: CallRecord): SpanDescription {
  const attributes: SpanDescription["attributes"] = {};
  const values = record.attributes;
  for (const key in values) {
    if (key === ATTR_SPAN_KIND || key === ATTR_OTEL_STATUS_CODE || key === ATTR_SERVICE_NAME) continue;
    addAttributes(attributes, { [key]: values[key] });
  }
  if (record.end === undefined) attributes[ATTR_RUNTRACE_RUNNING] = true;
  const events = record.events.map(
    (event): SpanEventDescription => ({
      name: event.name,
      time: event.time,
      attributes: eventAttributes(event),
    }),
  );
  return { name: record.node, kind: kindOf(record), attributes, events, status: statusOf(record) };
}
