import * as rt from "@runtrace/core";
import {
  type CallLine,
  graftHere,
  type RemoteCalls,
  recordAttempts,
  remoteEvent,
} from "@runtrace/core/remote";
import type { WorkerError } from "./errors.js";
import type { AttemptReport } from "./protocol.js";
import { warnOnce } from "./warn.js";

/**
 * Puts a finished job's attempts on the calling record, as a node's own retries would be: its
 * `attempts`, a `retry` event for each attempt before the last, and under it, in order, what each
 * attempt ran on its worker. An attempt whose worker died shows as one `interrupted` call (its
 * calls were lost with the worker); BullMQ found its job stalled and ran it again.
 */

/** Attributes of a remote call: where it ran, and as which job. */
export const ATTR_REMOTE_HOST = "runtrace.remote.host";
export const ATTR_REMOTE_PID = "runtrace.remote.pid";
export const ATTR_REMOTE_ATTEMPT = "runtrace.remote.attempt";
export const ATTR_REMOTE_QUEUE = "runtrace.remote.queue";
export const ATTR_REMOTE_JOB = "runtrace.remote.job";
/** How many of the worker's calls it left out of what it sent back. */
const ATTR_REMOTE_DROPPED = "runtrace.remote.dropped";

/** Every attempt from 1 to the last, from the reports found (attempts with no report were lost before writing one). */
export function allAttempts(reports: Map<number, AttemptReport>, last: AttemptReport): AttemptReport[] {
  const out: AttemptReport[] = [];
  for (let attempt = 1; attempt < last.attempt; attempt++) {
    out.push(reports.get(attempt) ?? { attempt, host: "", pid: 0, start: Number.NaN, status: "running" });
  }
  out.push(last);
  return out;
}

/** Records the attempts on the running call (the remote node's record). */
export function recordJob(node: string, kind: string, attempts: AttemptReport[], callStart: number): void {
  const last = attempts.at(-1);
  if (last === undefined) return;
  recordAttempts(last.attempt);
  let dropped = 0;
  // Where the attempt before ended: an attempt lost before its report knows no start of its own.
  let previousEnd = callStart;
  attempts.forEach((report, index) => {
    const next = attempts[index + 1];
    const lost = report.status === "running";
    const start = Number.isFinite(report.start) ? report.start : previousEnd;
    // A lost attempt ended, as far as anyone knows, when the next one started (unknown too when
    // that one was lost before its report: then at its own start).
    const nextStart = next !== undefined && Number.isFinite(next.start) ? next.start : undefined;
    const end = lost
      ? Math.max(start, nextStart ?? (next === undefined ? Date.now() : start))
      : (report.end ?? start);
    previousEnd = end;
    const calls = lost ? lostAttempt(node, kind, report, start, end) : report.calls;
    if (calls !== undefined) dropped += graft(calls, attemptAttributes(report), node);
    if (next === undefined) return;
    const error: WorkerError = lost
      ? lostError(report)
      : (report.error ?? { name: "Error", message: "failed" });
    const data: Record<string, unknown> = { attempt: report.attempt, error };
    if (report.host !== "") Object.assign(data, { host: report.host, pid: report.pid });
    if (lost) data.interrupted = true;
    if (nextStart !== undefined) data.delayMs = Math.max(0, nextStart - end);
    remoteEvent("retry", data, end);
  });
  const where: Record<string, unknown> = {};
  if (last.host !== "") Object.assign(where, { [ATTR_REMOTE_HOST]: last.host, [ATTR_REMOTE_PID]: last.pid });
  if (dropped > 0) where[ATTR_REMOTE_DROPPED] = dropped;
  rt.setAttributes(where);
}

function graft(calls: RemoteCalls, attributes: Record<string, unknown>, node: string): number {
  const result = graftHere(calls, attributes);
  if (result === undefined) return 0;
  if (result.problems.length > 0) {
    warnOnce(
      `graft:${node}`,
      `the worker of remote node "${node}" sent back calls that could not all join the tree: ${result.problems[0]}`,
    );
  }
  return result.dropped;
}

/** What an attempt's top-level calls get: the attempt's number and the worker it ran on. */
function attemptAttributes(report: AttemptReport): Record<string, unknown> {
  const where: Record<string, unknown> = { [ATTR_REMOTE_ATTEMPT]: report.attempt };
  if (report.host !== "") {
    where[ATTR_REMOTE_HOST] = report.host;
    where[ATTR_REMOTE_PID] = report.pid;
  }
  return where;
}

function lostError(report: AttemptReport): WorkerError {
  const who = report.host === "" ? "Its worker" : `Its worker (${report.host}, pid ${report.pid})`;
  return {
    name: "WorkerLostError",
    message: `${who} stopped during attempt ${report.attempt} (it died or lost its lock); BullMQ found the job stalled and ran it again.`,
  };
}

/** One interrupted call standing for an attempt whose worker died: what it ran is lost with it. */
function lostAttempt(
  node: string,
  kind: string,
  report: AttemptReport,
  start: number,
  end: number,
): RemoteCalls {
  const line: CallLine = {
    type: "call",
    id: "1",
    parent: "0",
    node,
    kind,
    start,
    status: "interrupted",
    end,
    error: lostError(report),
  };
  // No session of its own to name: nothing of it came back.
  return { v: 1, session: {} as RemoteCalls["session"], calls: [line] };
}
