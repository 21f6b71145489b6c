import { ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { extractContext, formatTraceparent, injectContext, parseTraceparent } from "./w3c.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";

describe("W3C trace context without a global propagator", () => {
  it("round-trips traceparent and tracestate through a plain carrier", () => {
    const parent = parseTraceparent(`00-${TRACE}-${SPAN}-01`, "vendor=abc,other=1")!;
    expect(parent).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    const carrier: Record<string, string> = {};
    injectContext(ROOT_CONTEXT, parent, carrier);
    expect(carrier).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: "vendor=abc,other=1" });
    const back = trace.getSpanContext(extractContext(ROOT_CONTEXT, carrier)!);
    expect(back).toMatchObject({ traceId: TRACE, spanId: SPAN, isRemote: true });
    expect(back?.traceState?.get("vendor")).toBe("abc");
  });

  it("reads node:http headers: any case, arrays of values", () => {
    const headers = { Traceparent: `00-${TRACE}-${SPAN}-00`, tracestate: ["a=1", "b=2"] };
    const found = trace.getSpanContext(extractContext(ROOT_CONTEXT, headers)!);
    expect(found).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 0 });
    expect(found?.traceState?.serialize()).toBe("a=1,b=2");
  });

  it("writes to and reads from a fetch Headers object", () => {
    const headers = new Headers();
    injectContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }, headers);
    expect(headers.get("traceparent")).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(trace.getSpanContext(extractContext(ROOT_CONTEXT, headers)!)?.spanId).toBe(SPAN);
  });

  it.each([
    ["garbage", "not a traceparent"],
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["extra field in version 00", `00-${TRACE}-${SPAN}-01-extra`],
    ["zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["upper-case hex", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
  ])("rejects an invalid traceparent (%s)", (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    expect(extractContext(ROOT_CONTEXT, { traceparent: value })).toBeUndefined();
  });

  it("accepts a later version with more fields", () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-future`)?.spanId).toBe(SPAN);
  });

  it("formats flags as two hex digits", () => {
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: 0 })).toBe(`00-${TRACE}-${SPAN}-00`);
  });
});
