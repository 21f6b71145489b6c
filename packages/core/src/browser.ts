/**
 * `@runtrace/core/browser`: the parts of core that a web page can load (no Node modules), so the
 * viewer's browser app shows statuses and durations by the same rules as the CLI and the exports.
 */

export { formatDuration } from "./recording/duration.js";
export { failed, isStatus, STATUSES } from "./recording/status.js";
export type { CallStatus, NodeKind, RecordKind, SessionStatus } from "./recording/types.js";
