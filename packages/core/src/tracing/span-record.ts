/**
 * One rule from any OpenTelemetry span to a record: the OTLP receiver of the viewer uses it, and so
 * will anything else that records spans runtrace did not start itself.
 */
import { currentSettings } from "../config.js";
import { ATTR_RUNTRACE_CALL_ID, ATTR_RUNTRACE_SESSION_ID, ATTR_SERVICE_NAME } from "../internal/semconv.js";
import { mergeAttributes, storedRecord } from "../recording/record.js";
import { sanitizeAttributes, sanitizeName } from "../recording/sanitize.js";
import type { CallRecord } from "../recording/types.js";
import { type SpanData, spanService } from "./span-data.js";
import { describedCall } from "./span-description.js";
import { foreignRecord, type SpanRecordOptions, settleFromSpan } from "./span-foreign.js";
import { callOfSpan } from "./span-shape.js";

export type { SpanRecordOptions } from "./span-foreign.js";

/**
 * The record a span stands for. A span one of runtrace's calls made (it carries `runtrace.node`,
 * `runtrace.kind`, `runtrace.session.id` and `runtrace.call.id`, see `rt.describeSpan`) is turned
 * back into that call's record: its kind, name, status, times, attempts, events, attributes, and
 * its input and output when the span carried them. Any other span becomes a record of kind
 * `"span"`: named after the span, with its attributes, events, status and times (see
 * `foreignRecord`). Its parent is `options.parentId`: the caller knows which record holds the
 * parent span.
 *
 * A runtrace call of another session than `options.runtraceSession` (by default the session it is
 * stored in), or a session's root put under another record, is given the span id as its id, and
 * keeps where it came from in `runtrace.session.id` and `runtrace.call.id` attributes.
 *
 * @example
 * ```ts
 * const record = rt.spanRecord(
 *   { traceId, spanId, name: "GET /users", kind: "server", start, end, attributes: {}, events: [],
 *     status: { code: "unset" } },
 *   { sessionId, parentId: "0" },
 * );
 * record.kind; // "span"
 * ```
 */
export function spanRecord(span: SpanData, options: SpanRecordOptions): CallRecord {
  const call = callOfSpan(span.attributes);
  if (call !== undefined) {
    const own = call.sessionId === (options.runtraceSession ?? options.sessionId) && call.callId !== "0";
    const id = options.id ?? (own ? call.callId : span.spanId);
    const service = spanService(span);
    const record = describedCall(span, {
      sessionId: options.sessionId,
      parentId: options.parentId,
      id,
      start: span.start,
      end: span.end,
      traceId: span.traceId,
      spanId: span.spanId,
      service,
    });
    if (record !== undefined) {
      safeCall(record);
      if (id !== call.callId) {
        mergeAttributes(record, {
          [ATTR_RUNTRACE_SESSION_ID]: call.sessionId,
          [ATTR_RUNTRACE_CALL_ID]: call.callId,
        });
      }
      if (record.kind !== "session" && service !== undefined && service !== options.service) {
        mergeAttributes(record, { [ATTR_SERVICE_NAME]: service });
      }
      return record;
    }
  }
  return foreignRecord(span, options);
}

/**
 * A runtrace call's record from a span that anyone could have sent: its name and values recorded
 * like any (cut, redacted, JSON-safe: an OTLP 64-bit integer is a BigInt), which leaves what
 * runtrace itself wrote as it was.
 */
function safeCall(record: CallRecord): void {
  const { sanitize } = currentSettings();
  record.node = sanitizeName(record.node, sanitize);
  for (const _ in record.attributes) {
    record.attributes = sanitizeAttributes(record.attributes, sanitize);
    break;
  }
  for (const event of record.events) {
    if (event.data !== undefined) event.data = sanitizeAttributes({ data: event.data }, sanitize).data;
  }
}

/**
 * The root record of the session a trace is stored as, when its root span is not one of runtrace's
 * sessions: a session record named after the trace's root span, with its times and status and the
 * `service.name` of its resource; the root span itself is a record under it. Before the root span
 * has arrived, `root: false` makes a stand-in from any span of the trace: named after its service
 * (else the span), started when the span started, running.
 */
export function traceRootRecord(span: SpanData, sessionId: string, root = true): CallRecord {
  const service = spanService(span);
  const name = root ? span.name : (service ?? span.name);
  const record = storedRecord(
    "0",
    null,
    sessionId,
    sanitizeName(name, currentSettings().sanitize),
    "session",
    span.start,
    undefined,
  );
  if (service !== undefined) record.attributes = { [ATTR_SERVICE_NAME]: service };
  record.traceId = span.traceId;
  if (root) settleFromSpan(record, span);
  return record;
}
