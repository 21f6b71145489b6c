import { isObject, textOf } from "../internal/safe.js";
import { assignOwn, mergeAttributes, storedRecord } from "../recording/record.js";
import { type SanitizeOptions, sanitize, sanitizeAttributes, sanitizeName } from "../recording/sanitize.js";
import { isStatus, STATUSES } from "../recording/status.js";
import type { CallTree } from "../recording/tree.js";
import type { CallEvent, CallRecord, RecordKind } from "../recording/types.js";
import { errorOf, eventsOf, finite, KIND, SPAN_ID, TRACE_ID } from "./line-fields.js";
import { type CallLine, callLine } from "./lines.js";

/**
 * Calls that ran somewhere else (another process, another machine) travel back to their caller as
 * lines of the stored format and are grafted under the caller's record, so the caller's tree, its
 * file, the viewer and the exports show them like local calls. `exportCalls` is the sending side,
 * `graftCalls` the receiving one; the MCP integration carries them in a result's `_meta`.
 */

/** The calls of one session that ran elsewhere, as sent back to the caller (version 1). */
export interface RemoteCalls {
  v: 1;
  /** The session they ran in, in its own process. */
  session: { id: string; name: string; traceId?: string; spanId?: string };
  /** Its calls as stored lines: `call` lines, or `start` lines for calls still running; parents first. */
  calls: CallLine[];
  /** How many calls were left out (past `MAX_REMOTE_CALLS` or `MAX_REMOTE_CHARS`), the last ones. */
  dropped?: number;
}

/** At most this many calls are sent back from one remote session. */
export const MAX_REMOTE_CALLS = 10_000;
/** At most this many characters of lines are sent back from one remote session. */
export const MAX_REMOTE_CHARS = 4 * 1024 * 1024;

/** Attributes of a grafted call whose caller is the record it was grafted under. */
// Not `….session.id`: keys ending so are redacted as session cookies.
export const ATTR_REMOTE_SESSION = "runtrace.remote.session";
export const ATTR_REMOTE_SESSION_NAME = "runtrace.remote.session_name";

/**
 * The calls of a session's tree (not its root) as `RemoteCalls`, in start order, parents before
 * their children. Calls past the limits are left out and counted, so what is sent has no orphans.
 */
export function exportCalls(tree: CallTree, limits: { calls?: number; chars?: number } = {}): RemoteCalls {
  const maxCalls = limits.calls ?? MAX_REMOTE_CALLS;
  const maxChars = limits.chars ?? MAX_REMOTE_CHARS;
  const root = tree.root;
  const session: RemoteCalls["session"] = { id: root.sessionId, name: root.node };
  if (root.traceId !== undefined) session.traceId = root.traceId;
  if (root.spanId !== undefined) session.spanId = root.spanId;
  const calls: CallLine[] = [];
  let chars = 0;
  let dropped = 0;
  for (const record of tree) {
    if (dropped > 0) {
      dropped++;
      continue;
    }
    const line = callLine(record);
    chars += line.length;
    if (calls.length >= maxCalls || chars > maxChars) dropped++;
    else calls.push(JSON.parse(line) as CallLine);
  }
  const remote: RemoteCalls = { v: 1, session, calls };
  if (dropped > 0) remote.dropped = dropped;
  return remote;
}

/** Where calls are grafted: a live session (its `SessionState`), or anything that keeps records like one. */
export interface GraftTarget {
  readonly settings: {
    /** False when the session keeps no records: nothing is grafted. */
    readonly recording: boolean;
    /** How this session cleans recorded values; grafted values are cleaned the same way. */
    readonly sanitize: SanitizeOptions;
  };
  /** Adds a record made by `make` (given a new id of this session) under `parent`; see `SessionState.adopt`. */
  adopt(parent: CallRecord, make: (id: string, sessionId: string) => CallRecord): CallRecord | undefined;
}

/** What `graftCalls` did. */
export interface GraftResult {
  /** The records added, parents first. */
  grafted: CallRecord[];
  /** Calls the sender left out (`RemoteCalls.dropped`). */
  dropped: number;
  /** Lines that could not be used, each with why (they and the calls under them were skipped). */
  problems: string[];
}

// `interrupted`: a call whose process died before it ended, as its file reads back (or as the
// sender tells of an attempt lost with its worker).
const ENDED: ReadonlySet<string> = new Set(STATUSES.filter((status) => status !== "running"));

/**
 * Grafts the calls of a remote session under `parent`, a record of the target's session. Each
 * call becomes a record with a new id of the target's session (unique there), under the record
 * its line names as parent (a call of the remote session's top level goes under `parent`), with
 * the times, status, attempts, events, attributes and trace ids it was recorded with. Names and
 * values are cleaned again with the target's settings (redaction, limits): what arrives is foreign
 * data. `attributes`, when given, go on each call of the remote session's top level (where and as
 * which attempt it ran, say), cleaned the same way. Lines that do not describe a call are skipped
 * with the calls under them and reported in `problems`; this never throws.
 */
export function graftCalls(
  remote: unknown,
  parent: CallRecord,
  target: GraftTarget,
  attributes?: Record<string, unknown>,
): GraftResult {
  const result: GraftResult = { grafted: [], dropped: 0, problems: [] };
  if (!target.settings.recording) return result;
  try {
    if (!isObject(remote) || !Array.isArray(remote.calls)) {
      result.problems.push("the remote calls are not an object with a `calls` array");
      return result;
    }
    if (finite(remote.dropped) && remote.dropped > 0) result.dropped = remote.dropped;
    const session = isObject(remote.session) ? remote.session : {};
    const options = target.settings.sanitize;
    const origin: Record<string, unknown> = {};
    if (typeof session.id === "string") origin[ATTR_REMOTE_SESSION] = session.id;
    if (typeof session.name === "string") origin[ATTR_REMOTE_SESSION_NAME] = session.name;
    // What every call of the remote session's top level gets, cleaned once for all of them.
    let topAttributes = sanitizeAttributes(origin, options);
    if (isObject(attributes)) {
      const given = sanitizeAttributes(attributes, options);
      assignOwn(given, topAttributes);
      topAttributes = given;
    }
    const byRemoteId = new Map<string, CallRecord>();
    for (const [index, line] of remote.calls.entries()) {
      const problem = graftLine(line, parent, byRemoteId, topAttributes, target, result);
      if (problem !== undefined) result.problems.push(`call line ${index}: ${problem}`);
    }
  } catch (error) {
    result.problems.push(`grafting stopped: ${textOf(error)}`);
  }
  return result;
}

function graftLine(
  line: unknown,
  top: CallRecord,
  byRemoteId: Map<string, CallRecord>,
  topAttributes: Record<string, unknown>,
  target: GraftTarget,
  result: GraftResult,
): string | undefined {
  if (!isObject(line)) return "not an object";
  const { type, id, node, kind, start } = line;
  if (type !== "call" && type !== "start") return `type ${textOf(type)} is not "call" or "start"`;
  if (typeof id !== "string" || id === "") return "no id";
  if (byRemoteId.has(id)) return `id ${id} appears twice`;
  const parentId = String(line.parent);
  const parent = parentId === "0" ? top : byRemoteId.get(parentId);
  if (parent === undefined) return `call ${id} names an unknown parent ${parentId}`;
  if (typeof node !== "string") return `call ${id} has no node name`;
  if (typeof kind !== "string" || !KIND.test(kind) || kind === "session")
    return `call ${id} has kind ${textOf(kind)}`;
  if (!finite(start)) return `call ${id} has no start time`;
  let status: CallRecord["status"] = "running";
  let end: number | undefined;
  if (type === "call") {
    if (!isStatus(line.status) || !ENDED.has(line.status))
      return `call ${id} has status ${textOf(line.status)}`;
    if (!finite(line.end) || line.end < start) return `call ${id} has no valid end time`;
    status = line.status as CallRecord["status"];
    end = line.end;
  }
  const options = target.settings.sanitize;
  const record = target.adopt(parent, (newId, sessionId) => {
    const made = storedRecord(
      newId,
      parent.id,
      sessionId,
      sanitizeName(node, options),
      kind as RecordKind,
      start,
      line.input === undefined ? undefined : sanitize(line.input, options),
    );
    made.status = status;
    made.end = end;
    if (Number.isSafeInteger(line.attempts) && (line.attempts as number) > 0)
      made.attempts = line.attempts as number;
    if (finite(line.waitMs) && line.waitMs >= 0) made.waitMs = line.waitMs;
    const events = eventsOf(line.events, (event) => cleanEvent(event, options))?.events ?? [];
    if (events.length > 0) made.events = events;
    if (isObject(line.attributes)) mergeAttributes(made, sanitizeAttributes(line.attributes, options));
    if (parent === top) mergeAttributes(made, topAttributes);
    if (typeof line.traceId === "string" && TRACE_ID.test(line.traceId)) made.traceId = line.traceId;
    if (typeof line.spanId === "string" && SPAN_ID.test(line.spanId)) made.spanId = line.spanId;
    if (status === "ok" && line.output !== undefined) made.output = sanitize(line.output, options);
    if (status !== "ok" && status !== "running" && line.error !== undefined)
      made.error = errorOf(sanitize(line.error, options));
    return made;
  });
  if (record === undefined) return undefined;
  byRemoteId.set(id, record);
  result.grafted.push(record);
  return undefined;
}

/** An event from elsewhere, its name and data cleaned with this session's settings. */
function cleanEvent(event: CallEvent, options: SanitizeOptions): CallEvent {
  const copy: CallEvent = { name: sanitizeName(event.name, options), time: event.time };
  if (event.data !== undefined) copy.data = sanitize(event.data, options);
  return copy;
}
