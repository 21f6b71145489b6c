import {
  type Context,
  createTraceState,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  propagation,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
  TraceFlags,
  trace,
} from "@opentelemetry/api";

/**
 * W3C trace context (`traceparent`, `tracestate`) written and read directly, not through the global
 * propagator: an application that registered a tracer provider without a propagator (or with only
 * B3) must still join runtrace sessions across processes. The global propagator runs as well, so
 * baggage and any other format the application configured travel along.
 */

export const TRACEPARENT = "traceparent";
export const TRACESTATE = "tracestate";

// version-traceId-spanId-flags; later versions may append fields, version 00 may not.
const TRACEPARENT_PATTERN = /^\s*([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?\s*$/;

/** Formats a span context as a `traceparent` header value. */
export function formatTraceparent(context: SpanContext): string {
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** Parses a `traceparent` value (and an optional `tracestate`); `undefined` when it is not valid. */
export function parseTraceparent(value: string, state?: string): SpanContext | undefined {
  const match = TRACEPARENT_PATTERN.exec(value);
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  const context: SpanContext = {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: Number.parseInt(flags!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!isSpanContextValid(context)) return undefined;
  if (state !== undefined && state.trim() !== "") context.traceState = createTraceState(state);
  return context;
}

interface HeadersLike {
  get(name: string): string | null | undefined;
  set(name: string, value: string): void;
}

function isHeadersLike(carrier: object): carrier is HeadersLike {
  return (
    typeof (carrier as Partial<HeadersLike>).get === "function" &&
    typeof (carrier as Partial<HeadersLike>).set === "function"
  );
}

// `fetch`'s Headers and similar classes (case-insensitive already) get and set through methods.
const headersGetter: TextMapGetter<HeadersLike> = {
  keys: () => [],
  get: (carrier, key) => carrier.get(key) ?? undefined,
};
const headersSetter: TextMapSetter<HeadersLike> = { set: (carrier, key, value) => carrier.set(key, value) };

/** A header of a plain object, found case-insensitively; several values of one header are joined. */
function header(carrier: Record<string, unknown>, name: string): string | undefined {
  let value = carrier[name];
  if (value === undefined) {
    for (const key in carrier) {
      if (key.toLowerCase() === name) {
        value = carrier[key];
        break;
      }
    }
  }
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    // Several traceparent headers are invalid; several tracestate headers combine (RFC 9110 lists).
    return name === TRACEPARENT ? (value.length === 1 ? value[0] : undefined) : value.join(",");
  }
  return undefined;
}

/** Writes `traceparent`/`tracestate` for `spanContext` (and what the global propagator adds). */
export function injectContext(base: Context, spanContext: SpanContext, carrier: object): void {
  const context = trace.setSpanContext(base, spanContext);
  const parent = formatTraceparent(spanContext);
  const state = spanContext.traceState?.serialize();
  if (isHeadersLike(carrier)) {
    propagation.inject(context, carrier, headersSetter);
    carrier.set(TRACEPARENT, parent);
    if (state) carrier.set(TRACESTATE, state);
    return;
  }
  const record = carrier as Record<string, unknown>;
  propagation.inject(context, record, defaultTextMapSetter);
  record[TRACEPARENT] = parent;
  if (state) record[TRACESTATE] = state;
  else delete record[TRACESTATE];
}

/**
 * The context a carrier describes, on top of `base`: what the global propagator extracts (baggage,
 * other formats), with the W3C parent set from `traceparent` when it is valid. `undefined` when the
 * carrier names no valid parent at all.
 */
export function extractContext(base: Context, carrier: object): Context | undefined {
  let parent: SpanContext | undefined;
  let context: Context;
  if (isHeadersLike(carrier)) {
    context = propagation.extract(base, carrier, headersGetter);
    const value = carrier.get(TRACEPARENT);
    if (value) parent = parseTraceparent(value, carrier.get(TRACESTATE) ?? undefined);
  } else {
    const record = carrier as Record<string, unknown>;
    context = propagation.extract(base, record, defaultTextMapGetter);
    const value = header(record, TRACEPARENT);
    if (value !== undefined) parent = parseTraceparent(value, header(record, TRACESTATE));
  }
  if (parent !== undefined) return trace.setSpanContext(context, parent);
  const found = trace.getSpanContext(context);
  return found !== undefined && found !== trace.getSpanContext(base) && isSpanContextValid(found)
    ? context
    : undefined;
}
