/**
 * The JSON the viewer's server sends and its browser app reads (and what an exported HTML file
 * inlines). Both sides import these types; keep them in step with docs/viewer.md.
 */
import type { CallRecord, SessionSummary } from "@runtrace/core";

/** A call without its children, with its place in the tree. */
export type FlatCall = Omit<CallRecord, "children"> & {
  /** 0 for the session's root record, 1 for top-level calls, ... */
  depth: number;
  /** How many direct children it has. */
  childCount: number;
};

/** `GET /api/sessions` */
export interface SessionsResponse {
  sessions: SessionSummary[];
}

/** `GET /api/sessions/:id` */
export interface SessionResponse {
  summary: SessionSummary;
  /** The session's root record (depth 0). */
  root: FlatCall;
  /** Problems met while reading the file (a cut-off line, a corrupt line). */
  warnings: string[];
  /** True while the session has no end and its writer still runs: updates come on /stream. */
  live: boolean;
}

/** `GET /api/sessions/:id/calls?offset=&limit=`: calls in depth-first start order, root excluded. */
export interface CallsResponse {
  total: number;
  offset: number;
  calls: FlatCall[];
}

/** `GET /api/config` */
export interface ConfigResponse {
  version: string;
  /** Base URL of a Jaeger UI for "open in Jaeger" links (`{jaegerUrl}/trace/{traceId}`). */
  jaegerUrl: string | null;
}

/** Every error response: `{ error: { code, message } }` with a 4xx/5xx status. */
export interface ErrorResponse {
  error: { code: string; message: string };
}

/**
 * Server-sent events of `GET /api/sessions/:id/stream`:
 * - `event: call`, data `FlatCall`: a call was added or changed (upsert by id);
 * - `event: session`, data `SessionResponse`: the root or summary changed;
 * - `event: end`, data `SessionResponse`: the session ended (the stream then stays open, idle).
 */
export type StreamEventName = "call" | "session" | "end";

/**
 * What an exported single-file HTML page carries in
 * `<script type="application/json" id="runtrace-data">` (every `<` written as `\u003c`).
 */
export interface InlineData {
  session: SessionResponse;
  calls: FlatCall[];
  config: ConfigResponse;
}
