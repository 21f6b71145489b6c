import type { Attributes } from "@opentelemetry/api";
import type { CallRecord } from "../recording/types.js";
import {
  endAttributes,
  exceptionEvent,
  type SpanEventDescription,
  type SpanStatusDescription,
  spanStatus,
} from "./span-end.js";
import { eventAttributes } from "./span-events.js";
import { spanKindName, spanName, startAttributes } from "./span-shape.js";

export type { SpanEventDescription, SpanStatusDescription } from "./span-end.js";

/**
 * What a call's span says, whichever way it leaves: its name, kind, attributes, events and status.
 * Live spans (the tracing bridge) and the exports of stored sessions (`runtrace export`) are built
 * from the same functions, so both show a call the same way.
 */
export interface SpanDescription {
  name: string;
  /** `client` for model calls (they leave the process), else `internal`. */
  kind: "client" | "internal";
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
 * session was read, the time the export draws it to).
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
