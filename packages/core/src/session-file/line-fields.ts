import { isObject, textOf } from "../internal/safe.js";
import type { CallEvent, RecordedError } from "../recording/types.js";

/**
 * What the fields of a stored line must be to go into a record. The reader and the graft of remote
 * calls both take lines that another process wrote, or that somebody edited by hand: a field of the
 * wrong type is left out (and said so) rather than handed to the tree, where the viewer, the
 * exports and the span descriptions would trip over it.
 */

/** A trace id as W3C trace context and OpenTelemetry write it. */
export const TRACE_ID = /^[0-9a-f]{32}$/;
/** A span id as W3C trace context and OpenTelemetry write it. */
export const SPAN_ID = /^[0-9a-f]{16}$/;
/**
 * A call's kind as the graft takes it from elsewhere: runtrace's own (`function`, `llm`, `tool`,
 * ...) or another plain word. Lines are written with kinds unescaped, so only such words are taken.
 */
export const KIND = /^[a-z][a-z_-]{0,31}$/;

/** A number that is not NaN or infinite (a time, a duration, a count). */
export function finite(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** A value as its JSON text (or as text, for what JSON cannot say). */
function asText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? textOf(value);
  } catch {
    return textOf(value);
  }
}

/** A value as a few characters of text, for a message about it. */
export function shown(value: unknown): string {
  const text = asText(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * The events of a line: those with a string name and a time in epoch milliseconds, each passed
 * through `clean` (the graft cleans foreign data again); `dropped` counts the others. `undefined`
 * when the value is not a list at all.
 */
export function eventsOf(
  value: unknown,
  clean: (event: CallEvent) => CallEvent = (event) => event,
): { events: CallEvent[]; dropped: number } | undefined {
  if (!Array.isArray(value)) return undefined;
  const events: CallEvent[] = [];
  let dropped = 0;
  for (const event of value) {
    if (!isObject(event) || typeof event.name !== "string" || !finite(event.time)) {
      dropped++;
      continue;
    }
    const copy: CallEvent = { name: event.name, time: event.time };
    if (event.data !== undefined) copy.data = event.data;
    events.push(clean(copy));
  }
  return { events, dropped };
}

/** A recorded error: one with a string name and message as it is, anything else as a message. */
export function errorOf(value: unknown): RecordedError {
  if (isObject(value) && typeof value.name === "string" && typeof value.message === "string")
    return value as unknown as RecordedError;
  return { name: "Error", message: typeof value === "string" ? value : asText(value) };
}
