import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_RUNTRACE_ATTEMPTS,
  ATTR_RUNTRACE_CANCEL_REASON,
  ATTR_RUNTRACE_OUTPUT,
  ATTR_RUNTRACE_RUNNING,
  ATTR_RUNTRACE_STATUS,
  ATTR_RUNTRACE_WAIT_MS,
  EVENT_EXCEPTION,
} from "../internal/semconv.js";
import { failed } from "../recording/status.js";
import type { CallRecord } from "../recording/types.js";
import { jsonText } from "./attributes.js";

/** A span's status: unset, or an error with its message. runtrace never sets OK. */
export interface SpanStatusDescription {
  code: "unset" | "error";
  message?: string;
}

/** One span event: its name, epoch-millisecond time and attributes. */
export interface SpanEventDescription {
  name: string;
  time: number;
  attributes: Attributes | undefined;
}

/** Whether a record's span is red: the record {@link failed}; cancelled and skipped calls stay unset. */
export function isSpanError(record: CallRecord): boolean {
  return failed(record.status);
}

/**
 * The attributes a span gets when its call ends, or `undefined` for the common case of a call that
 * ran once and succeeded with nothing more to say: `runtrace.attempts` when the call did not run
 * exactly once, `runtrace.wait_ms`, the output when payloads are on, and for any other status than
 * `ok` the status, `error.type` (failures) or `runtrace.cancel.reason` (cancellations). A call still
 * running in a stored session also gets `runtrace.running`.
 */
export function endAttributes(record: CallRecord, output: boolean): Attributes | undefined {
  let out: Attributes | undefined;
  if (record.kind !== "session" && record.attempts !== 1) {
    out = { [ATTR_RUNTRACE_ATTEMPTS]: record.attempts };
  }
  if (record.waitMs !== undefined) {
    out ??= {};
    out[ATTR_RUNTRACE_WAIT_MS] = record.waitMs;
  }
  const status = record.status;
  if (status === "ok") {
    if (output && record.output !== undefined) {
      out ??= {};
      out[ATTR_RUNTRACE_OUTPUT] = jsonText(record.output);
    }
    return out;
  }
  out ??= {};
  out[ATTR_RUNTRACE_STATUS] = status;
  if (record.end === undefined) out[ATTR_RUNTRACE_RUNNING] = true;
  const error = record.error;
  if (isSpanError(record)) {
    if (status !== "interrupted") out[ATTR_ERROR_TYPE] = error?.name ?? "Error";
  } else if (status === "cancelled" && error !== undefined) {
    out[ATTR_RUNTRACE_CANCEL_REASON] = error.message;
  }
  return out;
}

/** The span status of a call (see {@link isSpanError}). */
export function spanStatus(record: CallRecord): SpanStatusDescription {
  if (!isSpanError(record)) return { code: "unset" };
  return { code: "error", message: record.error?.message ?? record.status };
}

/**
 * The `exception` event a failed call's span ends with (what `span.recordException` writes), at the
 * call's end; `undefined` for calls that did not fail.
 */
export function exceptionEvent(record: CallRecord, end: number): SpanEventDescription | undefined {
  if (record.status !== "error" && record.status !== "timeout") return undefined;
  const error = record.error;
  const attributes: Attributes = {
    [ATTR_EXCEPTION_TYPE]: error?.name ?? "Error",
    [ATTR_EXCEPTION_MESSAGE]: error?.message ?? record.status,
  };
  if (error?.stack !== undefined) attributes[ATTR_EXCEPTION_STACKTRACE] = error.stack;
  return { name: EVENT_EXCEPTION, time: end, attributes };
}
