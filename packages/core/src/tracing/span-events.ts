import type { Attributes } from "@opentelemetry/api";
import { setKey } from "../internal/safe.js";
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

// The inverse: a span event's attributes back to the data of the event they were made from.

function retryData(attributes: Record<string, unknown>): RetryData | undefined {
  const attempt = attributes[ATTR_RUNTRACE_RETRY_ATTEMPT];
  const delayMs = attributes[ATTR_RUNTRACE_RETRY_DELAY_MS];
  if (typeof attempt !== "number" || typeof delayMs !== "number") return undefined;
  const data: RetryData = { attempt, delayMs };
  const name = attributes[ATTR_EXCEPTION_TYPE];
  const message = attributes[ATTR_EXCEPTION_MESSAGE];
  if (typeof name === "string" || typeof message === "string") {
    const error: RecordedError = {
      name: typeof name === "string" ? name : "Error",
      message: typeof message === "string" ? message : "",
    };
    const stack = attributes[ATTR_EXCEPTION_STACKTRACE];
    if (typeof stack === "string") error.stack = stack;
    data.error = error;
  }
  return data;
}

/**
 * A recorded event's data from its span event's attributes, the inverse of {@link eventAttributes}:
 * a `retry` event's attempt, delay and error; the value kept under `runtrace.data`; else the
 * attributes as one object (an object recorded with nested objects comes back as its dotted keys,
 * a value that became JSON text stays text). No attributes: no data.
 */
export function eventData(name: string, attributes: Record<string, unknown> | undefined): unknown {
  if (attributes === undefined) return undefined;
  let keys = 0;
  for (const key in attributes) {
    if (attributes[key] !== undefined) keys++;
  }
  if (keys === 0) return undefined;
  if (name === "retry") {
    const retry = retryData(attributes);
    if (retry !== undefined) return retry;
  }
  if (keys === 1 && ATTR_RUNTRACE_EVENT_DATA in attributes) return attributes[ATTR_RUNTRACE_EVENT_DATA];
  const data: Record<string, unknown> = {};
  for (const key in attributes) {
    if (attributes[key] !== undefined) setKey(data, key, attributes[key]);
  }
  return data;
}
