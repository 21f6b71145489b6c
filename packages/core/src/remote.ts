/**
 * `@runtrace/core/remote`: for packages that run calls somewhere else (another process, another
 * machine) and keep one exact call tree. The remote side runs the call in a session that continues
 * the caller's trace (`new rt.Session({ parent })`) and sends its calls back with `exportCalls`; the
 * caller grafts them under its record with `graftHere` (or `graftCalls`). `@runtrace/bullmq` is
 * built on it, and so is the MCP integration.
 *
 * @example
 * ```ts
 * import { exportCalls, graftHere, remoteCaller } from "@runtrace/core/remote";
 * // the caller, inside its node: send rt.inject({}) and remoteCaller() along with the arguments
 * // the remote side: const session = new rt.Session({ parent: carrier }); ...; send exportCalls(session.tree)
 * graftHere(reply.calls);   // the caller again: the remote calls join the tree under this call
 * ```
 */
export type { RemoteCaller } from "./integrations/remote/here.js";
export { graftHere, recordAttempts, remoteCaller, remoteEvent } from "./integrations/remote/here.js";
export type { GraftResult, GraftTarget, RemoteCalls } from "./session-file/graft.js";
export {
  ATTR_REMOTE_SESSION,
  ATTR_REMOTE_SESSION_NAME,
  exportCalls,
  graftCalls,
  MAX_REMOTE_CALLS,
  MAX_REMOTE_CHARS,
} from "./session-file/graft.js";
export type { CallLine } from "./session-file/lines.js";
