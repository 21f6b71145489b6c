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
import { failed, isStatus } from "../recording/status.js";
import type { CallRecord, CallStatus, RecordedError, RecordKind, SessionStatus } from "../recording/types.js";
import { jsonText } from "./attributes.js";

/**
 * A span's status: unset, ok, or an error with its message. runtrace never sets OK on its calls'
 * spans; a `"span"` record keeps the OK its span had.
 */
export interface SpanStatusDescription {
  code: "unset" | "ok" | "error";
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

// The inverse: how a call ended, from its span.

/** The span attributes {@link endAttributes} writes: none of them is one of the record's attributes. */
export const END_ATTRIBUTES: ReadonlySet<string> = new Set([
  ATTR_RUNTRACE_ATTEMPTS,
  ATTR_RUNTRACE_WAIT_MS,
  ATTR_RUNTRACE_OUTPUT,
  ATTR_RUNTRACE_STATUS,
  ATTR_RUNTRACE_RUNNING,
  ATTR_RUNTRACE_CANCEL_REASON,
  ATTR_ERROR_TYPE,
]);

/** How a call ended, as its span tells it (see {@link callEnd}). */
export interface CallEnd {
  status: CallStatus | SessionStatus;
  end: number | undefined;
  attempts: number;
  waitMs: number | undefined;
  output: unknown;
  error: RecordedError | undefined;
  /** The span's events that are the call's own: all but the `exception` event its failure added. */
  events: number;
}

/** A recorded value written as JSON text on a span (`runtrace.input`, `runtrace.output`). */
export function parsedValue(value: unknown): unknown {
  if (typeof value !== "string") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * How a call ended, from what its span carries: the inverse of {@link endAttributes},
 * {@link spanStatus} and {@link exceptionEvent}. A failure's error is its `exception` event (type,
 * message, stack); a cancelled call's is a `CancelledError` with the recorded reason. An error's
 * `code`, `cause` and `errors`, and a cancellation's stack, are not on spans and do not come back.
 */
export function callEnd(
  kind: RecordKind,
  attributes: Record<string, unknown>,
  status: SpanStatusDescription,
  events: ReadonlyArray<{ name: string; attributes?: Record<string, unknown> | undefined }>,
  end: number | undefined,
): CallEnd {
  const recorded = attributes[ATTR_RUNTRACE_STATUS];
  const state = isStatus(recorded) ? recorded : status.code === "error" ? "error" : "ok";
  const attempts = attributes[ATTR_RUNTRACE_ATTEMPTS];
  const waitMs = attributes[ATTR_RUNTRACE_WAIT_MS];
  let own = events.length;
  let error: RecordedError | undefined;
  if (state === "error" || state === "timeout") {
    const last = events[own - 1];
    if (last?.name === EVENT_EXCEPTION) {
      own--;
      const at = last.attributes ?? {};
      error = {
        name: str(at[ATTR_EXCEPTION_TYPE]) ?? "Error",
        message: str(at[ATTR_EXCEPTION_MESSAGE]) ?? state,
      };
      const stack = str(at[ATTR_EXCEPTION_STACKTRACE]);
      if (stack !== undefined) error.stack = stack;
    } else {
      error = { name: str(attributes[ATTR_ERROR_TYPE]) ?? "Error", message: status.message ?? state };
    }
  } else if (state === "cancelled") {
    const reason = str(attributes[ATTR_RUNTRACE_CANCEL_REASON]);
    if (reason !== undefined) error = { name: "CancelledError", message: reason };
  } else if (status.code === "error" && status.message !== undefined && status.message !== state) {
    error = { name: "Error", message: status.message };
  }
  return {
    status: state,
    end: attributes[ATTR_RUNTRACE_RUNNING] === true ? undefined : end,
    attempts: kind === "session" ? 0 : typeof attempts === "number" ? attempts : 1,
    waitMs: typeof waitMs === "number" ? waitMs : undefined,
    output: parsedValue(attributes[ATTR_RUNTRACE_OUTPUT]),
    error,
    events: own,
  };
}
