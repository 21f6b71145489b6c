import { msText } from "../internal/clock.js";
import type { CallEvent, CallRecord } from "../recording/types.js";

/**
 * The stored event format, version 1: one JSON object per line, appended as things happen.
 * `docs/format.md` documents it; `reader.ts` reads it back. Keep the two in step.
 */
export const FORMAT_VERSION = 1;

/** First line of a file: who wrote it and when the session started. */
export interface SessionLine {
  type: "session";
  v: number;
  id: string;
  name: string;
  start: number;
  pid: number;
  host: string;
  attributes?: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
}

/** A call that was still running when written (`start`) or one written whole (`call`). */
export interface CallLine {
  type: "start" | "call";
  id: string;
  parent: string;
  node: string;
  kind: string;
  start: number;
  input?: unknown;
  attempts?: number;
  waitMs?: number;
  events?: CallEvent[];
  attributes?: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
  // Only on `call` lines:
  status?: string;
  end?: number;
  output?: unknown;
  error?: unknown;
}

/** The end of a call written earlier as `start`. */
export interface EndLine {
  type: "end";
  id: string;
  status: string;
  end: number;
  attempts?: number;
  waitMs?: number;
  output?: unknown;
  error?: unknown;
}

export interface EventLine {
  type: "event";
  id: string;
  name: string;
  time: number;
  data?: unknown;
}

export interface AttributesLine {
  type: "attributes";
  id: string;
  attributes: Record<string, unknown>;
}

/**
 * A call written earlier now stands under another parent (with its calls below it). Written by a
 * writer that had to place a call before its parent was known: a trace received over OTLP, whose
 * spans come children first.
 */
export interface MoveLine {
  type: "move";
  id: string;
  parent: string;
}

/** The session ended (later lines may still come from stray work of that session). */
export interface SessionEndLine {
  type: "session-end";
  status: string;
  end: number;
  output?: unknown;
  error?: unknown;
  attributes?: Record<string, unknown>;
  /**
   * The root's name, start and ids, only where they differ from the header's: a session whose
   * header was written before its root was known (a trace received over OTLP, its root span last).
   */
  name?: string;
  start?: number;
  traceId?: string;
  spanId?: string;
}

/** What a session's header said of its root, to restate at its end what changed since. */
export interface SessionHeader {
  name: string;
  start: number;
  traceId: string | undefined;
  spanId: string | undefined;
}

/** The header fields of a root record, as `sessionLine` writes them. */
export function headerOf(root: CallRecord): SessionHeader {
  return { name: root.node, start: root.start, traceId: root.traceId, spanId: root.spanId };
}

/**
 * Lines the writer had to drop (the directory could not be written and the memory kept for that
 * ran out), written once it could write again. The calls of those lines are missing or unfinished.
 */
export interface LostLine {
  type: "lost";
  lines: number;
  calls: number;
  /** The error code that stopped the writes, such as `ENOSPC`. */
  reason: string;
  time: number;
}

export type Line =
  | SessionLine
  | CallLine
  | EndLine
  | EventLine
  | AttributesLine
  | MoveLine
  | SessionEndLine
  | LostLine;

function hasKeys(value: Record<string, unknown>): boolean {
  for (const _ in value) return true;
  return false;
}

export function sessionLine(root: CallRecord, pid: number, host: string): string {
  const line: SessionLine = {
    type: "session",
    v: FORMAT_VERSION,
    id: root.sessionId,
    name: root.node,
    start: root.start,
    pid,
    host,
  };
  if (hasKeys(root.attributes)) line.attributes = root.attributes;
  if (root.traceId !== undefined) line.traceId = root.traceId;
  if (root.spanId !== undefined) line.spanId = root.spanId;
  return JSON.stringify(line);
}

// Node names repeat on almost every line: quote each once. Bounded, so a program that makes
// names on the fly cannot grow it without limit.
const quotedNames = new Map<string, string>();
function quoted(name: string): string {
  let json = quotedNames.get(name);
  if (json === undefined) {
    json = JSON.stringify(name);
    if (quotedNames.size < 10_000) quotedNames.set(name, json);
  }
  return json;
}

function value(v: unknown): string {
  return Array.isArray(v) && v.length === 0 ? "[]" : JSON.stringify(v);
}

/**
 * A `call` line when the record has ended, else a `start` line. Written by hand (this runs once per
 * recorded call): ids, kinds and statuses are runtrace's own safe tokens, times are finite numbers,
 * and everything else goes through JSON.stringify. Same keys, in the same order, as `CallLine`.
 * `parentId` is the parent to name when it is not the record's own (a call since moved).
 */
export function callLine(record: CallRecord, parentId = record.parentId): string {
  const ended = record.end !== undefined;
  let line = `{"type":"${ended ? "call" : "start"}","id":"${record.id}","parent":"${parentId ?? "0"}","node":${quoted(record.node)},"kind":"${record.kind}","start":${msText(record.start)}`;
  if (record.input !== undefined) line += `,"input":${value(record.input)}`;
  if (record.attempts !== 0) line += `,"attempts":${record.attempts}`;
  if (record.waitMs !== undefined) line += `,"waitMs":${record.waitMs}`;
  if (record.events.length > 0) line += `,"events":${JSON.stringify(record.events)}`;
  if (hasKeys(record.attributes)) line += `,"attributes":${JSON.stringify(record.attributes)}`;
  if (record.traceId !== undefined) line += `,"traceId":${JSON.stringify(record.traceId)}`;
  if (record.spanId !== undefined) line += `,"spanId":${JSON.stringify(record.spanId)}`;
  if (ended) {
    line += `,"status":"${record.status}","end":${msText(record.end!)}`;
    if (record.output !== undefined) line += `,"output":${value(record.output)}`;
    if (record.error !== undefined) line += `,"error":${JSON.stringify(record.error)}`;
  }
  return `${line}}`;
}

/** The end of a call written earlier as `start`: by hand as `callLine`, the keys of `EndLine` in order. */
export function endLine(record: CallRecord): string {
  let line = `{"type":"end","id":"${record.id}","status":"${record.status}","end":${msText(record.end ?? 0)}`;
  if (record.attempts !== 0) line += `,"attempts":${record.attempts}`;
  if (record.waitMs !== undefined) line += `,"waitMs":${record.waitMs}`;
  if (record.output !== undefined) line += `,"output":${value(record.output)}`;
  if (record.error !== undefined) line += `,"error":${JSON.stringify(record.error)}`;
  return `${line}}`;
}

export function eventLine(record: CallRecord, event: CallEvent): string {
  const line: EventLine = { type: "event", id: record.id, name: event.name, time: event.time };
  if (event.data !== undefined) line.data = event.data;
  return JSON.stringify(line);
}

export function attributesLine(record: CallRecord, attributes: Record<string, unknown>): string {
  return JSON.stringify({ type: "attributes", id: record.id, attributes } satisfies AttributesLine);
}

export function moveLine(record: CallRecord): string {
  return JSON.stringify({ type: "move", id: record.id, parent: record.parentId ?? "0" } satisfies MoveLine);
}

export function sessionEndLine(root: CallRecord, header?: SessionHeader): string {
  const line: SessionEndLine = { type: "session-end", status: root.status, end: root.end ?? 0 };
  if (root.output !== undefined) line.output = root.output;
  if (root.error !== undefined) line.error = root.error;
  if (hasKeys(root.attributes)) line.attributes = root.attributes;
  if (header !== undefined) {
    if (root.node !== header.name) line.name = root.node;
    if (root.start !== header.start) line.start = root.start;
    if (root.traceId !== header.traceId && root.traceId !== undefined) line.traceId = root.traceId;
    if (root.spanId !== header.spanId && root.spanId !== undefined) line.spanId = root.spanId;
  }
  return JSON.stringify(line);
}
