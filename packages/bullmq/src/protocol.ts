import type { RemoteCalls } from "@runtrace/core/remote";
import type { WorkerError } from "./errors.js";

/**
 * What travels between a caller and a worker. A job's data says what to run and for whom; each
 * attempt writes a report of itself to a Redis hash beside the job (when it starts, and when it
 * fails), so that attempts that failed, and attempts whose worker died, are known to the caller;
 * the attempt that succeeds sends its report back with the job's result.
 */

/** The data of a job that a remote node adds. */
export interface JobData {
  v: 1;
  /** The node to run: its name on the worker. */
  node: string;
  args: unknown[];
  /** The W3C trace context of the calling call (`traceparent`...), when it is traced. */
  trace?: Record<string, string>;
  /** The calling session and call, and whether they want the worker's calls back. */
  caller?: { session: string; call: string; calls: boolean };
}

/** How one attempt of a job went, as its worker tells. */
export interface AttemptReport {
  /** 1 for the first run of the job; every run counts, the ones lost with their worker too. */
  attempt: number;
  host: string;
  pid: number;
  /** Epoch milliseconds. */
  start: number;
  end?: number;
  /** `running` until the attempt ends: still so afterwards, its worker died during it. */
  status: "running" | "ok" | "error";
  error?: WorkerError;
  /** The calls made in the attempt, when the caller asked for them. */
  calls?: RemoteCalls;
}

/** The result of a job whose attempt succeeded. */
export interface JobResult {
  v: 1;
  value: unknown;
  report: AttemptReport;
}

/** How long the reports of a job are kept when no caller comes for them (it died, or gave up). */
export const REPORTS_TTL_MS = 24 * 60 * 60 * 1000;

/** The Redis hash of a job's attempt reports (next to the job's own keys). */
export function reportsKey(prefix: string, queue: string, jobId: string): string {
  return `${prefix}:${queue}:${jobId}:runtrace`;
}

/** The hash field of attempt `attempt`. */
export function reportField(attempt: number): string {
  return `a${attempt}`;
}

/** BullMQ's default key prefix. */
export const DEFAULT_PREFIX = "bull";

/** A job's data or result as a line of text for a message: its JSON, cut at 120 characters. */
export function shownData(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 120) ?? String(value);
  } catch {
    return String(value);
  }
}
