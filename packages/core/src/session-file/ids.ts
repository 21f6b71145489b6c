import { randomBytes } from "node:crypto";
import { isAbsolute, join } from "node:path";
import { ReadError } from "../errors.js";

/**
 * What a session id may look like: letters, digits, ".", "_" and "-", starting with a letter or a
 * digit, at most `MAX_SESSION_ID_LENGTH` characters. A session's file is `<dir>/<id>.jsonl`, so no
 * path can hide in an id.
 */
export const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_SESSION_ID_LENGTH = 200;
/** The ending of every session file. */
export const SESSION_FILE_EXTENSION = ".jsonl";

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** `YYYYMMDD-HHMMSS` of a date in UTC: the start of every session id, so ids sort by time. */
function timePart(date: Date): string {
  const day = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
  return `${day}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

// Random bytes are drawn a few kilobytes at a time: asking the system for 5 bytes per session cost
// more than the rest of making its id (a server opens a session per request). They are kept as
// hex, written once per pool: a session's 10 digits are then a slice, not a call into the buffer.
const POOL_BYTES = 5 * 1024;
const ID_DIGITS = 10;
let pool = "";
let taken = 0;

// The time part changes once a second: sessions opened within the same second share it.
let lastSecond = Number.NaN;
let lastTimePart = "";

/** `YYYYMMDD-HHMMSS` (UTC) of an epoch time in milliseconds. */
export function timePartOf(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastTimePart = timePart(new Date(second * 1000));
  }
  return lastTimePart;
}

/** A new session's id: its UTC start time, so ids sort by time, and 40 random bits. */
export function newSessionId(date?: Date): string {
  if (taken + ID_DIGITS > pool.length) {
    pool = randomBytes(POOL_BYTES).toString("hex");
    taken = 0;
  }
  const bits = pool.slice(taken, taken + ID_DIGITS);
  taken += ID_DIGITS;
  return `${date === undefined ? timePartOf(Date.now()) : timePart(date)}-${bits}`;
}

/** Whether `id` is a session id (see `SESSION_ID`). */
export function isSessionId(id: string): boolean {
  return id.length <= MAX_SESSION_ID_LENGTH && SESSION_ID.test(id);
}

/** Why `id` is not a session id, as a sentence for an error message. */
export function notASessionId(id: string): string {
  const shown = id.length > 60 ? `${id.slice(0, 60)}…` : id;
  return `${JSON.stringify(shown)} is not a session id: ids are letters, digits, ".", "_" and "-", starting with a letter or digit (as in 20261122-173741-a1b2c3d4e5).`;
}

/** The file of session `id` in `dir`; `ReadError` for anything that is not an id. */
export function sessionFileOf(dir: string, id: string): string {
  if (!isSessionId(id)) throw new ReadError(notASessionId(id));
  return join(dir, `${id}${SESSION_FILE_EXTENSION}`);
}

/** The session id a file name stands for (`<id>.jsonl`), or `undefined` for another file. */
export function sessionIdOfFile(name: string): string | undefined {
  return name.endsWith(SESSION_FILE_EXTENSION) ? name.slice(0, -SESSION_FILE_EXTENSION.length) : undefined;
}

/**
 * Whether what a user typed for a session names a file (then no directory is looked in) rather
 * than a session id: it ends in `.jsonl` or has a path separator in it.
 */
export function isSessionPath(ref: string): boolean {
  return ref.endsWith(SESSION_FILE_EXTENSION) || ref.includes("/") || ref.includes("\\") || isAbsolute(ref);
}

/**
 * The session id of a trace stored as a session (the viewer's OTLP receiver): the UTC time of
 * `start` (epoch milliseconds), so ids sort by time like runtrace's own, then the first 10 hex
 * digits of the trace id, so the same trace is recognisable in its id.
 */
export function traceSessionId(traceId: string, start: number): string {
  const bits = /^[0-9a-f]{10}/.exec(traceId.toLowerCase())?.[0] ?? "0000000000";
  return `${timePart(new Date(Number.isFinite(start) ? start : 0))}-${bits}`;
}

/** Where sessions are stored when no directory is given, and why. */
export interface DefaultSessionDir {
  dir: string;
  from: "RUNTRACE_DIR" | "default";
}

/** `$RUNTRACE_DIR` when it is set (and not empty), else `.runtrace` in the current directory. */
export function defaultSessionDir(): DefaultSessionDir {
  const env = process.env.RUNTRACE_DIR;
  return env !== undefined && env !== ""
    ? { dir: env, from: "RUNTRACE_DIR" }
    : { dir: ".runtrace", from: "default" };
}
