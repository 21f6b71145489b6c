import { setKey } from "../internal/safe.js";
import type { CallEvent, CallRecord, CallStatus, RecordedError, RecordKind, SessionStatus } from "./types.js";

// Most calls have no events, attributes or children: they share these frozen empties until the
// first write, which keeps a recorded call small (the tree of a long session lives in memory).
const NO_EVENTS: CallEvent[] = Object.freeze([]) as unknown as CallEvent[];
const NO_CHILDREN: CallRecord[] = Object.freeze([]) as unknown as CallRecord[];
const NO_ATTRIBUTES: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

const INSPECT = Symbol.for("nodejs.util.inspect.custom");
type InspectFn = (value: unknown, options: object) => string;

/**
 * Where the times of a live session's records count from, and whose records they are. A record
 * keeps its start as microseconds after its clock's base and its end as microseconds after its
 * start: small integers, which V8 keeps inside the record. Counted from one origin for the whole
 * process they would outgrow V8's small integers once the process is 18 to 36 minutes old (2^30 or
 * 2^31 µs, by build), and every record made after that would carry two heap numbers more (143
 * bytes a record instead of 112). So a session takes a new clock every two minutes or so (see
 * `SessionState.startCall`), and a time still too far from what it counts from (the end of a call
 * of more than four and a half minutes, a start moved far from its clock's base) is kept to the
 * millisecond, or past three days to the second.
 */
export class RecordClock {
  readonly sessionId: string;
  /** Epoch microseconds, a whole number. */
  readonly base: number;

  constructor(sessionId: string, base: number) {
    this.sessionId = sessionId;
    this.base = base;
  }
}

/** A new clock should start once a record would start this many microseconds after its base. */
export const CLOCK_SPAN = 2 ** 27;

const TIER = 2 ** 28;

/**
 * Signed microseconds as a small integer in every build of V8 (under 2^30): exact below 2^28 µs
 * (four and a half minutes), to the millisecond below 2^28 ms (three days), else to the second.
 */
function pack(micros: number): number {
  const size = Math.abs(micros);
  // `| 0` makes each an int32, which V8 keeps as a small integer. Until V8 optimizes the code that
  // computes it, the difference of two doubles is a heap number even when it is whole, and each
  // record made then held one or two 16-byte numbers more (about 7,000 of a process's first
  // 93,000 records, in a heap snapshot of the fan-out workload).
  if (size < TIER) return micros | 0;
  const sign = micros < 0 ? -1 : 1;
  const ms = Math.round(size / 1000);
  if (ms < TIER) return (sign * (TIER + ms)) | 0;
  return (sign * (2 * TIER + Math.min(Math.round(size / 1e6), TIER - 1))) | 0;
}

function unpack(code: number): number {
  const size = Math.abs(code);
  if (size < TIER) return code;
  const sign = code < 0 ? -1 : 1;
  return size < 2 * TIER ? sign * (size - TIER) * 1000 : sign * (size - 2 * TIER) * 1e6;
}

/**
 * The in-memory record of one call of a live session. A long session keeps every record in memory
 * for as long as it lives, so the record is kept small: the id is a number until somebody reads it,
 * times are small integers of microseconds (see {@link RecordClock}), the parent is a pointer, and
 * the fields most calls never set (children, error, events, attributes, trace ids, waitMs) live on
 * the prototype until the first write. Readers see a plain `CallRecord`; every time reads back as
 * whole microseconds.
 */
export class LiveRecord implements CallRecord {
  readonly #n: number;
  readonly #parent: LiveRecord | null;
  readonly #clock: RecordClock;
  node: string;
  kind: RecordKind;
  status: CallStatus | SessionStatus = "running";
  #start: number;
  /** Microseconds after the start (see `pack`). */
  #end: number | undefined = undefined;
  input: unknown;
  output: unknown = undefined;
  attempts = 0;
  declare children: CallRecord[];
  declare error: RecordedError | undefined;
  declare events: CallEvent[];
  declare attributes: Record<string, unknown>;
  declare traceId: string | undefined;
  declare spanId: string | undefined;
  declare waitMs?: number;

  constructor(
    n: number,
    parent: LiveRecord | null,
    clock: RecordClock,
    node: string,
    kind: RecordKind,
    start: number,
    input: unknown,
  ) {
    this.#n = n;
    this.#parent = parent;
    this.#clock = clock;
    this.node = node;
    this.kind = kind;
    this.#start = pack(Math.round(start * 1000) - clock.base);
    this.input = input;
  }

  get id(): string {
    return String(this.#n);
  }
  get parentId(): string | null {
    return this.#parent === null ? null : this.#parent.id;
  }
  get sessionId(): string {
    return this.#clock.sessionId;
  }
  get start(): number {
    return (this.#clock.base + unpack(this.#start)) / 1000;
  }
  set start(epochMs: number) {
    const end = this.end;
    this.#start = pack(Math.round(epochMs * 1000) - this.#clock.base);
    if (end !== undefined) this.end = end;
  }
  get end(): number | undefined {
    return this.#end === undefined
      ? undefined
      : (this.#clock.base + unpack(this.#start) + unpack(this.#end)) / 1000;
  }
  set end(epochMs: number | undefined) {
    this.#end =
      epochMs === undefined
        ? undefined
        : pack(Math.round(epochMs * 1000) - this.#clock.base - unpack(this.#start));
  }

  /** JSON form of this record and its subtree (what `CallTree.toJSON` returns). */
  toJSON(): CallRecordJSON {
    return recordToJSON(this);
  }

  /** What `console.log` and `util.inspect` show: every field, as for a plain record. */
  [INSPECT](depth: number, options: { depth?: number | null }, inspect: InspectFn): string {
    if (depth < 0) return `[LiveRecord ${this.node} #${this.id}]`;
    const fields = { ...recordFields(this), children: this.children };
    return `LiveRecord ${inspect(fields, { ...options, depth: options.depth == null ? null : options.depth - 1 })}`;
  }
}

/**
 * A record of no session, made for objects kept only for their hidden classes (see
 * runtime/shapes.ts): its clock counts from now, as every real one does.
 */
export function keptRecord(kind: RecordKind): LiveRecord {
  const now = Date.now();
  return new LiveRecord(0, null, new RecordClock("", now * 1000), "runtrace.shapes", kind, now, undefined);
}

// Shared defaults until a record's first write of its own.
Object.assign(LiveRecord.prototype, {
  children: NO_CHILDREN,
  error: undefined,
  events: NO_EVENTS,
  attributes: NO_ATTRIBUTES,
  traceId: undefined,
  spanId: undefined,
  waitMs: undefined,
});

/** A record read back from a stored session: a plain object with every field. */
export function storedRecord(
  id: string,
  parentId: string | null,
  sessionId: string,
  node: string,
  kind: RecordKind,
  start: number,
  input: unknown,
): CallRecord {
  return {
    id,
    parentId,
    sessionId,
    node,
    kind,
    status: "running",
    start,
    end: undefined,
    input,
    output: undefined,
    error: undefined,
    attempts: 0,
    events: NO_EVENTS,
    attributes: NO_ATTRIBUTES,
    traceId: undefined,
    spanId: undefined,
    children: NO_CHILDREN,
  };
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

/**
 * Below this many children a parent's array is replaced by one a child longer instead of grown in
 * place: `push` on a full array leaves room for 16 more, which a call with two children would keep
 * for as long as its session is kept (a third of a small tree's memory).
 */
const EXACT_CHILDREN = 16;

export function addChild(parent: CallRecord, child: CallRecord): void {
  const children = parent.children;
  if (children === NO_CHILDREN) {
    parent.children = [child];
    return;
  }
  const n = children.length;
  if (n >= EXACT_CHILDREN) {
    children.push(child);
    return;
  }
  // `new Array(n)` has room for exactly n; a copy loop is cheaper than `concat`, which looks up
  // `Symbol.isConcatSpreadable` on the child.
  const next = new Array<CallRecord>(n + 1);
  for (let i = 0; i < n; i++) next[i] = children[i]!;
  next[n] = child;
  parent.children = next;
}

export function addEvent(record: CallRecord, event: CallEvent): void {
  if (record.events === NO_EVENTS) record.events = [event];
  else record.events.push(event);
}

/**
 * Copies `attributes` (a plain object of own keys, as the sanitizer makes them) onto the record's
 * own attributes.
 */
export function mergeAttributes(record: CallRecord, attributes: Record<string, unknown>): void {
  let out = record.attributes;
  if (out === NO_ATTRIBUTES) record.attributes = out = {};
  assignOwn(out, attributes);
}

/**
 * `Object.assign` for plain objects, as a loop of plain stores. Attribute objects of many shapes
 * pass through here; with a spread and `Object.assign` instead, recording a remote call and
 * grafting what it ran cost about a third more (a micro-benchmark on Node 20).
 */
export function assignOwn(out: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const key of Object.keys(from)) setKey(out, key, from[key]);
}
