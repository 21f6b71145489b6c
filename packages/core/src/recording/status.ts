import type { CallStatus, SessionStatus } from "./types.js";

/**
 * Every status a record can have, in the order a user reads them: the words of the stored format,
 * the CLI, the viewer and the exports.
 */
export const STATUSES = [
  "running",
  "ok",
  "error",
  "timeout",
  "cancelled",
  "skipped",
  "interrupted",
] as const satisfies readonly SessionStatus[];

const KNOWN: ReadonlySet<string> = new Set(STATUSES);

/** Whether a value is one of the status words. */
export function isStatus(value: unknown): value is SessionStatus {
  return typeof value === "string" && KNOWN.has(value);
}

/**
 * Whether a record failed: the call threw (`error`) or ran out of time (`timeout`), or a session's
 * process stopped before the session ended (`interrupted`). Failures are what `runtrace ls` counts
 * as errors, what the tree and the viewer show red, and the spans whose status is ERROR. Cancelled
 * and skipped calls were stopped by something else: they are not failures, so only the cause is red.
 */
export function failed(status: CallStatus | SessionStatus | string): boolean {
  return status === "error" || status === "timeout" || status === "interrupted";
}
