import { NotANodeError } from "../errors.js";
import { nodeHandle } from "../nodes/def.js";
import { currentFrame } from "./frame.js";

/**
 * Records a call of `node` that did not run, with status `skipped` and a `skipped` event giving the
 * reason, as a child of the current call. Flows use it for steps downstream of a failure. Does
 * nothing outside a session.
 */
export function recordSkipped(node: unknown, reason: string, args: unknown[] = [], name?: string): void {
  const handle = nodeHandle(node);
  if (handle === undefined) throw new NotANodeError(node, "recordSkipped");
  const frame = currentFrame();
  if (frame === undefined) return;
  const session = frame.session;
  const record = session.startCall(frame.record, handle.def, name ?? handle.def.name, args);
  session.event(record, "skipped", { reason });
  session.endCall(record, "skipped", undefined, undefined);
}
