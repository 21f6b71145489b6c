import type { Attributes } from "@opentelemetry/api";
import { ATTR_RUNTRACE_INPUT, ATTR_SERVICE_NAME } from "../internal/semconv.js";
import { addEvent, storedRecord } from "../recording/record.js";
import type { CallRecord } from "../recording/types.js";
import type { SpanKindName } from "./span-data.js";
import {
  callEnd,
  END_ATTRIBUTES,
  endAttributes,
  exceptionEvent,
  parsedValue,
  type SpanEventDescription,
  type SpanStatusDescription,
  spanStatus,
} from "./span-end.js";
import { eventAttributes, eventData } from "./span-events.js";
import { describeForeign } from "./span-foreign.js";
import { callAttributes, callOfSpan, spanKindName, spanName, startAttributes } from "./span-shape.js";

export type { SpanEventDescription, SpanStatusDescription } from "./span-end.js";

/**
 * What a call's span says, whichever way it leaves: its name, kind, attributes, events and status.
 * Live spans (the tracing bridge) and the exports of stored sessions (`runtrace export`) are built
 * from the same functions, so both show a call the same way.
 */
export interface SpanDescription {
  name: string;
  /** `client` for model calls (they leave the process), else `internal`; a `"span"` record's own kind. */
  kind: SpanKindName;
  attributes: Attributes;
  events: SpanEventDescription[];
  status: SpanStatusDescription;
}

/** Which recorded values a span carries as `runtrace.input` / `runtrace.output`. */
export interface SpanPayloads {
  input: boolean;
  output: boolean;
}

/**
 * A finished (or, in a stored session, unfinished) record as the span it is once ended: its start
 * attributes with the record's final attributes, its end attributes, its recorded events, then the
 * `exception` event of a failure at `end` (the record's end, or for a call still running when the
 * session was read, the time the export draws it to). A `"span"` record is the span it was
 * recorded from: its name, kind, attributes, events and status.
 *
 * @example
 * ```ts
 * const tree = await rt.readSession(id);
 * const span = rt.describeSpan(tree.find("weather")!, { input: true, output: true });
 * span.name; // "execute_tool weather"
 * ```
 */
export function describeSpan(
  record: CallRecord,
  payloads: SpanPayloads,
  end: number = record.end ?? record.start,
): SpanDescription {
  if (record.kind === "span") return describeForeign(record);
  const attributes = startAttributes(record, payloads.input && record.kind !== "session");
  const ended = endAttributes(record, payloads.output);
  if (ended !== undefined) Object.assign(attributes, ended);
  const events: SpanEventDescription[] = record.events.map((event) => ({
    name: event.name,
    time: event.time,
    attributes: eventAttributes(event),
  }));
  const exception = exceptionEvent(record, end);
  if (exception !== undefined) events.push(exception);
  return {
    name: spanName(record),
    kind: spanKindName(record),
    attributes,
    events,
    status: spanStatus(record),
  };
}

// The inverse.

/** A span as {@link describeSpan} describes it, with attribute values of any type. */
export interface DescribedSpan {
  attributes: Record<string, unknown>;
  events: ReadonlyArray<{ name: string; time: number; attributes?: Record<string, unknown> | undefined }>;
  status: SpanStatusDescription;
}

/** What {@link describeSpan} leaves to the span itself: where the record sits, its times and ids. */
export interface SpanPlace {
  sessionId: string;
  parentId: string | null;
  /** The record's id. @default the call id the span carries */
  id?: string;
  start: number;
  end: number | undefined;
  traceId?: string;
  spanId?: string;
  /** The `service.name` of the span's resource: a session's root record keeps it as an attribute. */
  service?: string;
}

/**
 * The record one of runtrace's spans was described from: the inverse of {@link describeSpan}, or
 * `undefined` for a span that is not a runtrace call's (see `callOfSpan`). What a span cannot carry
 * does not come back: an error's `code` and `cause`; an attribute or event data that was an object
 * comes back as its dotted keys; values written as JSON text (mixed arrays) stay text; GenAI
 * attributes the kind adds (`gen_ai.operation.name`, ...) are taken off where they hold the kind's
 * value, even when the call had set that same value itself.
 */
export function describedCall(span: DescribedSpan, place: SpanPlace): CallRecord | undefined {
  const call = callOfSpan(span.attributes);
  if (call === undefined) return undefined;
  const settled = callEnd(call.kind, span.attributes, span.status, span.events, place.end);
  const record = storedRecord(
    place.id ?? call.callId,
    place.parentId,
    place.sessionId,
    call.node,
    call.kind,
    place.start,
    call.kind === "session" ? undefined : parsedValue(span.attributes[ATTR_RUNTRACE_INPUT]),
  );
  record.status = settled.status;
  record.end = settled.end;
  record.attempts = settled.attempts;
  if (settled.waitMs !== undefined) record.waitMs = settled.waitMs;
  record.output = settled.output;
  record.error = settled.error;
  for (let i = 0; i < settled.events; i++) {
    const event = span.events[i]!;
    const data = eventData(event.name, event.attributes);
    addEvent(
      record,
      data === undefined
        ? { name: event.name, time: event.time }
        : { name: event.name, time: event.time, data },
    );
  }
  const attributes = callAttributes(call, span.attributes, END_ATTRIBUTES);
  if (call.kind === "session" && place.service !== undefined) attributes[ATTR_SERVICE_NAME] = place.service;
  for (const _ in attributes) {
    record.attributes = attributes;
    break;
  }
  record.traceId = place.traceId;
  record.spanId = place.spanId;
  return record;
}
