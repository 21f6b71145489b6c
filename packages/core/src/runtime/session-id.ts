import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** A session id: its UTC start time, so ids sort by time, and 40 random bits. */
export function newSessionId(date = new Date()): string {
  const day = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
  const time = `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  return `${day}-${time}-${randomBytes(5).toString("hex")}`;
}

const HOST = hostname();

/** Session-level facts the stores write in a session's header. */
export interface SessionMeta {
  pid: number;
  host: string;
}

/**
 * The process recording a session, as its header names it: a reader of a session that never ended
 * asks whether this process is still alive.
 */
export function sessionMeta(): SessionMeta {
  return { pid: process.pid, host: HOST };
}
