import type { CallEvent, CallRecord } from "./types.js";

/**
 * Receives one session's recording as it happens: the store's writer, the tracing bridge, live
 * listeners. The session calls these synchronously on the call path, so an implementation must be
 * cheap and must never throw (report through the logger).
 */
export interface SessionSink {
  /** A call started (its record is already in the tree, under `parent`). */
  started(record: CallRecord, parent: CallRecord): void;
  /** A call settled: `status`, `end`, `output` or `error` are set. */
  ended(record: CallRecord): void;
  /** An event was added to a call. */
  event(record: CallRecord, event: CallEvent): void;
  /** Attributes were merged into a call (`changed` holds only the new ones). */
  attributes(record: CallRecord, changed: Record<string, unknown>): void;
  /**
   * Calls now stand under another parent: each `record.parentId` names it (the tree has moved them
   * already, all at once), `from` is where they stood. Only a writer that places calls before
   * their parents are known moves them (a trace received over OTLP); a sink that keeps no tree may
   * ignore it.
   */
  moved?(records: readonly CallRecord[], from: CallRecord): void;
  /** The session ended (the root record is final). Later calls may still arrive from stray work. */
  closed(root: CallRecord): void;
}

/** @deprecated The former name of `SessionSink`. */
export type SessionWriter = SessionSink;
