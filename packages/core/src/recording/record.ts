import type { CallEvent, CallRecord, CallStatus, RecordedError, RecordKind, SessionStatus } from "./types.js";

// Most calls have no events, attributes or children: they share these frozen empties until the
// first write, which keeps a recorded call small (the tree of a long session lives in memory).
const NO_EVENTS: CallEvent[] = Object.freeze([]) as unknown as CallEvent[];
const NO_CHILDREN: CallRecord[] = Object.freeze([]) as unknown as CallRecord[];
const NO_ATTRIBUTES: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** The in-memory record of one call. Fields are assigned in one order so every record has one shape. */
export class LiveRecord implements CallRecord {
  id: string;
  parentId: string | null;
  sessionId: string;
  node: string;
  kind: RecordKind;
  status: CallStatus | SessionStatus = "running";
  start: number;
  end: number | undefined = undefined;
  input: unknown;
  output: unknown = undefined;
  error: RecordedError | undefined = undefined;
  attempts = 0;
  events: CallEvent[] = NO_EVENTS;
  attributes: Record<string, unknown> = NO_ATTRIBUTES;
  traceId: string | undefined = undefined;
  spanId: string | undefined = undefined;
  children: CallRecord[] = NO_CHILDREN;
  waitMs?: number;

  constructor(
    id: string,
    parentId: string | null,
    sessionId: string,
    node: string,
    kind: RecordKind,
    start: number,
    input: unknown,
  ) {
    this.id = id;
    this.parentId = parentId;
    this.sessionId = sessionId;
    this.node = node;
    this.kind = kind;
    this.start = start;
    this.input = input;
  }

  /** JSON form of this record and its subtree (what `CallTree.toJSON` returns). */
  toJSON(): CallRecordJSON {
    return recordToJSON(this);
  }
}

/** A record as plain JSON, children nested. */
export type CallRecordJSON = Omit<CallRecord, "children"> & { children: CallRecordJSON[] };

/** A record's own fields, without its children (what one line of a flat listing holds). */
export function recordFields(record: CallRecord): Omit<CallRecord, "children"> {
  const fields: Omit<CallRecord, "children"> = {
    id: record.id,
    parentId: record.parentId,
    sessionId: record.sessionId,
    node: record.node,
    kind: record.kind,
    status: record.status,
    start: record.start,
    end: record.end,
    input: record.input,
    output: record.output,
    error: record.error,
    attempts: record.attempts,
    events: record.events,
    attributes: record.attributes,
    traceId: record.traceId,
    spanId: record.spanId,
  };
  if (record.waitMs !== undefined) fields.waitMs = record.waitMs;
  return fields;
}

export function recordToJSON(record: CallRecord): CallRecordJSON {
  const json = recordFields(record) as CallRecordJSON;
  json.children = record.children.map(recordToJSON);
  return json;
}

export function addChild(parent: CallRecord, child: CallRecord): void {
  if (parent.children === NO_CHILDREN) parent.children = [child];
  else parent.children.push(child);
}

export function addEvent(record: CallRecord, event: CallEvent): void {
  if (record.events === NO_EVENTS) record.events = [event];
  else record.events.push(event);
}

export function mergeAttributes(record: CallRecord, attributes: Record<string, unknown>): void {
  if (record.attributes === NO_ATTRIBUTES) record.attributes = { ...attributes };
  else Object.assign(record.attributes, attributes);
}
