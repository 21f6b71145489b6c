import { isObject } from "../../internal/safe.js";
import { currentFrame } from "../../runtime/frame.js";
import { inject } from "../../tracing/bridge.js";

/**
 * What runtrace puts in the `_meta` of an MCP `tools/call` request and its result. The trace
 * context uses the W3C names as keys (`traceparent`, `tracestate`, `baggage`), where the
 * OpenTelemetry conventions for MCP put it; runtrace's own keys have the prefix `runtrace/`.
 */

/** Request `_meta` key: the calling session and call, and whether the caller wants the calls back. */
export const META_CALLER = "runtrace/caller";
/** Result `_meta` key: the server's calls for this request, as `RemoteCalls` (session-file/graft.ts). */
export const META_CALLS = "runtrace/calls";

/**
 * Result `_meta` key: `true` when the result's one text block is the JSON of the value (a number,
 * an array, `null`...), so that a runtrace client gets the value back, not its text.
 */
export const META_JSON = "runtrace/json";

/** What a request says about its caller under `runtrace/caller`. */
export interface CallerMeta {
  /** The caller's session id. */
  session: string;
  /** The caller's call id (the record of the MCP tool call) in that session. */
  call: string;
  /** The caller wants the server's calls in the result, to graft them under its record. */
  calls: boolean;
}

const TRACE_KEYS = ["traceparent", "tracestate", "baggage"] as const;

/**
 * The `_meta` of a request made from the running call: its trace context (when the session is
 * traced) and, in a session, who is calling.
 */
export function callerMeta(wantCalls: boolean): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  inject(meta);
  const frame = currentFrame();
  if (frame !== undefined) {
    const caller: CallerMeta = {
      session: frame.sessionId,
      call: frame.id,
      calls: wantCalls && frame.session.settings.recording,
    };
    meta[META_CALLER] = caller;
  }
  return meta;
}

/** The caller a request's `_meta` names, when it names one. */
export function callerOf(meta: unknown): CallerMeta | undefined {
  const caller = isObject(meta) ? meta[META_CALLER] : undefined;
  if (!isObject(caller) || typeof caller.session !== "string" || typeof caller.call !== "string")
    return undefined;
  return { session: caller.session, call: caller.call, calls: caller.calls === true };
}

/** The W3C trace context of a request's `_meta`, as a carrier for `new rt.Session({ parent })`. */
export function traceCarrierOf(meta: unknown): Record<string, string> | undefined {
  if (!isObject(meta) || typeof meta.traceparent !== "string") return undefined;
  const carrier: Record<string, string> = {};
  for (const key of TRACE_KEYS) {
    const value = meta[key];
    if (typeof value === "string") carrier[key] = value;
  }
  return carrier;
}
