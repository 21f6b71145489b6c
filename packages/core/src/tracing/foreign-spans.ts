/**
 * Spans that other instrumentation starts (fetch through undici, http, the openai SDK's
 * instrumentation, an application's own `startActiveSpan`) recorded in runtrace's call tree: a
 * span processor that turns each span started inside a runtrace call into a record of kind
 * `"span"` under that call (or under the foreign span it started in), through the same rule as the
 * viewer's OTLP receiver (`rt.spanRecord`).
 */

import type { Context, HrTime, SpanContext } from "@opentelemetry/api";
import { now } from "../internal/clock.js";
import { setKey } from "../internal/safe.js";
import { warnOnce } from "../recording/logger.js";
import type { CallEvent, CallRecord } from "../recording/types.js";
import { currentFrame } from "../runtime/frame.js";
import type { SessionState } from "../runtime/session-state.js";
import { TRACER_NAME } from "./provider.js";
import type { SpanData, SpanKindName } from "./span-data.js";
import { spanRecord } from "./span-record.js";

/** What a live SDK span (`ReadableSpan` of `@opentelemetry/sdk-trace-base` 1.x and 2.x) offers. */
interface LiveSpan {
  name: string;
  kind: number;
  spanContext(): SpanContext;
  /** sdk-trace-base 2.x. */
  parentSpanContext?: SpanContext;
  /** sdk-trace-base 1.x. */
  parentSpanId?: string;
  startTime: HrTime;
  endTime: HrTime;
  /** False until the span ended. */
  ended: boolean;
  attributes: Record<string, unknown>;
  events: ReadonlyArray<{ name: string; time: HrTime; attributes?: Record<string, unknown> }>;
  status: { code: number; message?: string };
  resource?: { attributes?: Record<string, unknown> };
  /** sdk-trace-base 2.x. */
  instrumentationScope?: { name: string };
  /** sdk-trace-base 1.x. */
  instrumentationLibrary?: { name: string };
}

/** The span processor interface of the OpenTelemetry SDK (structural: no SDK import needed). */
export interface RuntraceSpanProcessor {
  onStart(span: unknown, parentContext: Context): void;
  onEnd(span: unknown): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const KINDS: readonly SpanKindName[] = ["internal", "server", "client", "producer", "consumer"];
const STATUS: ReadonlyArray<SpanData["status"]["code"]> = ["unset", "ok", "error"];

function millis(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}

/**
 * A span's start or end, as the SDK gave it, on runtrace's clock, read when the processor hears of
 * it (the SDK calls `onStart` and `onEnd` as the span starts and ends). Unless given them, the SDK
 * takes times from `Date.now()`: whole milliseconds of the system clock, which an NTP step moves away
 * from the monotonic clock runtrace's times count on. A time within a millisecond of `Date.now()` is
 * this moment, so it is runtrace's time now (`current`; `wall` is `Date.now()` read with it);
 * another (given by the instrumentation, on whatever clock) is kept, but never later than now.
 */
function heardNow(time: number, current: number, wall: number): number {
  return Math.abs(time - wall) <= 1 ? current : Math.min(time, current);
}

/** A live span as plain data (see `SpanData`); `ended: false` leaves its end out. */
export function liveSpanData(span: LiveSpan): SpanData {
  const context = span.spanContext();
  const parent = span.parentSpanContext?.spanId ?? span.parentSpanId;
  const data: SpanData = {
    traceId: context.traceId,
    spanId: context.spanId,
    name: span.name,
    kind: KINDS[span.kind] ?? "internal",
    start: millis(span.startTime),
    end: span.ended ? millis(span.endTime) : undefined,
    attributes: span.attributes,
    events: span.events.map((event) => ({
      name: event.name,
      time: millis(event.time),
      attributes: event.attributes ?? {},
    })),
    status: {
      code: STATUS[span.status.code] ?? "unset",
      ...(span.status.message ? { message: span.status.message } : {}),
    },
  };
  if (parent !== undefined && parent !== "") data.parentSpanId = parent;
  if (span.resource?.attributes !== undefined) data.resource = span.resource.attributes;
  return data;
}

/** Where a foreign span went: its record, in the session that keeps it. */
interface Recorded {
  state: SessionState;
  record: CallRecord;
}

/**
 * A span processor that records, in runtrace's call tree, the spans other instrumentation starts
 * while a runtrace call runs: each becomes a record of kind `"span"` under the call that was
 * running (or the foreign span it started in), with its name, attributes, events (exceptions
 * included), status and times, stored and shown like any call. runtrace's own spans are left
 * alone (they are its calls already). `setupTracing` adds it to the provider it makes; an
 * application with its own provider adds it there.
 *
 * @example
 * ```ts
 * import { runtraceSpanProcessor } from "@runtrace/core/otel";
 * const provider = new NodeTracerProvider({
 *   spanProcessors: [runtraceSpanProcessor(), new BatchSpanProcessor(exporter)],
 * });
 * provider.register();
 * ```
 */
export function runtraceSpanProcessor(): RuntraceSpanProcessor {
  // Foreign spans recorded and not ended yet, by span id: a span started in one of them goes under it.
  const open = new Map<string, Recorded>();
  // A provider that was shut down may still start spans (a tracer handed out before): not recorded.
  let stopped = false;
  // Spans that never end (a leak in other code) must not grow the map forever: once it is large,
  // forget the ones whose session has ended (they were recorded as interrupted).
  let pruneAt = 10_000;
  const prune = (): void => {
    for (const [spanId, { record }] of open) if (record.status !== "running") open.delete(spanId);
    pruneAt = Math.max(10_000, open.size * 2);
  };

  const onStart = (value: unknown): void => {
    const span = value as LiveSpan;
    try {
      if (stopped || (span.instrumentationScope ?? span.instrumentationLibrary)?.name === TRACER_NAME) return;
      const parentId = span.parentSpanContext?.spanId ?? span.parentSpanId;
      let where = parentId === undefined ? undefined : open.get(parentId);
      if (where === undefined) {
        const frame = currentFrame();
        if (frame === undefined) return;
        where = { state: frame.session, record: frame.record };
      }
      const { state, record: parent } = where;
      const data = liveSpanData(span);
      data.start = heardNow(data.start, now(), Date.now());
      // A time the instrumentation gave may be of a coarser clock (whole milliseconds): a span
      // started inside a call must not seem to start before it.
      if (data.start < parent.start && parent.start - data.start < 1) data.start = parent.start;
      const record = state.adopt(parent, (id, sessionId) =>
        spanRecord(data, { sessionId, parentId: parent.id, id }),
      );
      if (record === undefined) return;
      if (open.size >= pruneAt) prune();
      open.set(data.spanId, { state, record });
    } catch (error) {
      warnOnce("foreign-span:start", `a span could not be recorded: ${String(error)}`);
    }
  };

  const onEnd = (value: unknown): void => {
    // Most spans ended are runtrace's own, with no foreign span open: nothing to look up.
    if (open.size === 0) return;
    const span = value as LiveSpan;
    try {
      const spanId = span.spanContext().spanId;
      const recorded = open.get(spanId);
      if (recorded === undefined) return;
      open.delete(spanId);
      const { state, record } = recorded;
      const final = spanRecord(liveSpanData(span), {
        sessionId: record.sessionId,
        parentId: record.parentId,
        id: record.id,
      });
      const attributes: Record<string, unknown> = {};
      let changed = false;
      for (const key of Object.keys(final.attributes)) {
        if (record.attributes[key] !== final.attributes[key]) {
          setKey(attributes, key, final.attributes[key]);
          changed = true;
        }
      }
      const current = now();
      const wall = Date.now();
      // Never before its start (which may have been moved to its call's, see onStart).
      const end = Math.max(
        final.end === undefined ? record.start : heardNow(final.end, current, wall),
        record.start,
      );
      let events: CallEvent[] = final.events.slice(record.events.length);
      // The SDK dates events by the system clock too: when that clock is further from runtrace's
      // than its millisecond steps, they move by as much, and stay within their span.
      const skew = current - wall;
      if (Math.abs(skew) > 1) {
        events = events.map((event) => ({
          ...event,
          time: Math.min(Math.max(event.time + skew, record.start), end),
        }));
      }
      state.settleAdopted(record, {
        status: final.status,
        end,
        error: final.error,
        attributes: changed ? attributes : undefined,
        events,
      });
    } catch (error) {
      warnOnce("foreign-span:end", `a span's end could not be recorded: ${String(error)}`);
    }
  };

  return {
    onStart,
    onEnd,
    forceFlush: () => Promise.resolve(),
    shutdown: () => {
      stopped = true;
      open.clear();
      return Promise.resolve();
    },
  };
}
