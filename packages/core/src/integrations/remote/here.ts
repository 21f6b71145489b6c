import { describeValue, InvalidOptionsError } from "../../errors.js";
import { currentFrame } from "../../runtime/frame.js";
import { type GraftResult, graftCalls } from "../../session-file/graft.js";

/**
 * What a call that runs its work elsewhere (a queue's worker, another process) needs from the
 * running call: who it is, to tell the other side, and a way to bring back what happened there.
 */

/** The running call as another process sees its caller. */
export interface RemoteCaller {
  /** The caller's session id. */
  session: string;
  /** The caller's call id (the record that waits for the remote work) in that session. */
  call: string;
  /** Whether the caller's session keeps records: when it does not, sending calls back is wasted. */
  recording: boolean;
}

/** The running call as a `RemoteCaller`; `undefined` outside a call. */
export function remoteCaller(): RemoteCaller | undefined {
  const frame = currentFrame();
  if (frame === undefined || frame.attempt === 0) return undefined;
  return { session: frame.sessionId, call: frame.id, recording: frame.session.settings.recording };
}

/**
 * Grafts calls that ran elsewhere (`RemoteCalls`, made there by `exportCalls`) under the running
 * call's record: they join this session's tree, its file and the viewer. `attributes` go on each
 * call of the remote session's top level (where it ran, which attempt). `undefined` outside a call;
 * never throws (see `graftCalls`).
 */
export function graftHere(remote: unknown, attributes?: Record<string, unknown>): GraftResult | undefined {
  const frame = currentFrame();
  if (frame === undefined || frame.attempt === 0) return undefined;
  return graftCalls(remote, frame.record, frame.session, attributes);
}

/**
 * Records that the running call's work ran `count` times elsewhere (a queue's own retries, a job
 * run again after its worker died): the record's `attempts`, as a node's retries set it.
 */
export function recordAttempts(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new InvalidOptionsError(`recordAttempts expected a positive integer, got ${describeValue(count)}.`);
  }
  const frame = currentFrame();
  if (frame === undefined || frame.attempt === 0) return;
  frame.record.attempts = count;
}

/**
 * Adds an event that happened elsewhere, at its own `time` (epoch milliseconds), to the running
 * call: a remote attempt that failed is a `retry` event, as a node's own retry is.
 */
export function remoteEvent(name: string, data: unknown, time: number): void {
  if (typeof name !== "string" || name === "") {
    throw new InvalidOptionsError(`remoteEvent expected a non-empty event name, got ${describeValue(name)}.`);
  }
  const frame = currentFrame();
  if (frame === undefined || frame.attempt === 0) return;
  frame.session.event(frame.record, name, data, Number.isFinite(time) ? time : undefined);
}
