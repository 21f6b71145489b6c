import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_RUNTRACE_EVENT_DATA,
  ATTR_RUNTRACE_RETRY_ATTEMPT,
  ATTR_RUNTRACE_RETRY_DELAY_MS,
} from "../internal/semconv.js";
import type { CallEvent, RecordedError } from "../recording/types.js";
import { addAttributes, jsonText } from "./attributes.js";

/** The runtime's `retry` event: which attempt failed, how long until the next, and why. */
interface RetryData {
  attempt: number;
  delayMs: number;
  error?: RecordedError;
}

function isRetryData(data: unknown): data is RetryData {
  return (
    typeof data === "object" &&
    data !== null &&
    typeof (data as RetryData).attempt === "number" &&
    typeof (data as RetryData).delayMs === "number"
  );
}

function retryAttributes(data: RetryData): Attributes {
  const out: Attributes = {
    [ATTR_RUNTRACE_RETRY_ATTEMPT]: data.attempt,
    [ATTR_RUNTRACE_RETRY_DELAY_MS]: data.delayMs,
  };
  const error = data.error;
  if (typeof error === "object" && error !== null) {
    // The failed attempt's error under the exception.* names, as Jaeger shows an exception event.
    if (typeof error.name === "string") out[ATTR_EXCEPTION_TYPE] = error.name;
    if (typeof error.message === "string") out[ATTR_EXCEPTION_MESSAGE] = error.message;
    if (typeof error.stack === "string") out[ATTR_EXCEPTION_STACKTRACE] = error.stack;
  }
  return out;
}

/**
 * A recorded event's data as span-event attributes. A `retry` event gets `runtrace.retry.attempt`,
 * `runtrace.retry.delay_ms` and its error as `exception.*`; other objects are flattened like call
 * attributes; any other value is kept under `runtrace.data`.
 */
export function eventAttributes(event: CallEvent): Attributes | undefined {
  const data = event.data;
  if (data === undefined) return undefined;
  if (event.name === "retry" && isRetryData(data)) return retryAttributes(data);
  if (typeof data === "object" && data !== null && !Array.isArray(data)) {
    return addAttributes({}, data as Record<string, unknown>);
  }
  if (typeof data === "string" || typeof data === "number" || typeof data === "boolean") {
    return { [ATTR_RUNTRACE_EVENT_DATA]: data };
  }
  return { [ATTR_RUNTRACE_EVENT_DATA]: jsonText(data) };
}
