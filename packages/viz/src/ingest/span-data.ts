import type { SpanData, SpanKindName } from "@runtrace/core";
import type { ReceivedSpan } from "./decode.js";

/** OTLP span kinds by number (0, unspecified, counts as internal). */
const KINDS: readonly SpanKindName[] = ["internal", "internal", "server", "client", "producer", "consumer"];

/**
 * Nanoseconds since 1970 as epoch milliseconds, to the nearest double: the whole milliseconds and
 * the nanoseconds past them are converted apart, since the nanoseconds (~1.8e18) are past 2^53.
 */
export function millis(ns: bigint): number {
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
}

/**
 * A received span as core's plain span data (`rt.SpanData`): times in epoch milliseconds, kind and
 * status by name. OTLP carries only ended spans; one that says it ended before it started is taken
 * to have ended when it started.
 */
export function spanDataOf(span: ReceivedSpan): SpanData {
  const start = millis(span.startNs);
  const data: SpanData = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    kind: KINDS[span.kind] ?? "internal",
    start,
    end: Math.max(start, millis(span.endNs)),
    attributes: span.attributes,
    events: span.events.map((event) => ({
      name: event.name,
      time: millis(event.timeNs),
      attributes: event.attributes,
    })),
    status:
      span.status.code === 2
        ? span.status.message === undefined
          ? { code: "error" }
          : { code: "error", message: span.status.message }
        : { code: span.status.code === 1 ? "ok" : "unset" },
    resource: span.resource,
  };
  if (span.parentSpanId !== undefined) data.parentSpanId = span.parentSpanId;
  return data;
}
