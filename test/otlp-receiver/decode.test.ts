import { describe, expect, it } from "vitest";
import { decodeJsonRequest, decodeProtobufRequest, ExportTraceServiceRequest } from "./decode.js";

const TRACE_ID = "5b8efff798038103d269b633813fc60c";
const hex = (s: string) => Buffer.from(s, "hex");

describe("decodeJsonRequest", () => {
  it("parses OTLP/JSON leniently: enum names, snake_case, int64 as strings or numbers", () => {
    const body = JSON.stringify({
      resource_spans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
          scopeSpans: [
            {
              scope: { name: "s" },
              spans: [
                {
                  traceId: "5B8EFFF798038103D269B633813FC60C",
                  spanId: "eee19b7ec3c1b174",
                  name: "n",
                  kind: "SPAN_KIND_CONSUMER",
                  start_time_unix_nano: "1700000000000000001",
                  endTimeUnixNano: 1000,
                  attributes: [{ key: "big", value: { intValue: "9007199254740993" } }],
                  status: { code: "STATUS_CODE_OK" },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(decodeJsonRequest(body)).toEqual([
      {
        traceId: "5b8efff798038103d269b633813fc60c",
        spanId: "eee19b7ec3c1b174",
        name: "n",
        kind: 5,
        startNs: 1_700_000_000_000_000_001n,
        endNs: 1000n,
        attributes: { big: 9_007_199_254_740_993n },
        events: [],
        links: [],
        status: { code: 1 },
        resource: { "service.name": "svc" },
        scope: { name: "s" },
      },
    ]);
    expect(() =>
      decodeJsonRequest('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}'),
    ).toThrow(/traceId/);
  });

  it("rejects what is not an ExportTraceServiceRequest", () => {
    expect(() => decodeJsonRequest("[]")).toThrow(/expected an object/);
    expect(() => decodeJsonRequest("{not json")).toThrow(SyntaxError);
    expect(() =>
      decodeJsonRequest('{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SERVER"}]}]}]}'),
    ).toThrow(/spans\[0\]\.kind: unknown enum value "SERVER"/);
  });
});

describe("decodeProtobufRequest", () => {
  const encode = (span: Record<string, unknown>) =>
    ExportTraceServiceRequest.encode({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }).finish();

  it("keeps 64-bit values exact, including negative int_value and times above 2^63", () => {
    const [span] = decodeProtobufRequest(
      encode({
        traceId: hex(TRACE_ID),
        spanId: hex("eee19b7ec3c1b174"),
        startTimeUnixNano: "18446744073709551615",
        endTimeUnixNano: "9223372036854775808",
        attributes: [
          { key: "min", value: { intValue: "-9223372036854775808" } },
          { key: "neg", value: { intValue: -5 } },
          { key: "empty", value: {} },
          { key: "raw", value: { bytesValue: Uint8Array.of(1, 2) } },
          { key: "kv", value: { kvlistValue: { values: [{ key: "k", value: { doubleValue: 1.5 } }] } } },
        ],
      }),
    );
    expect(span?.startNs).toBe(18_446_744_073_709_551_615n);
    expect(span?.endNs).toBe(9_223_372_036_854_775_808n);
    expect(span?.attributes).toEqual({
      min: -9_223_372_036_854_775_808n,
      neg: -5,
      empty: null,
      raw: Uint8Array.of(1, 2),
      kv: { k: 1.5 },
    });
    expect(span?.scope).toEqual({ name: "" });
    expect(span?.status).toEqual({ code: 0 });
  });

  it("treats empty ids as zero and rejects ids of the wrong length, like the collector", () => {
    const [span] = decodeProtobufRequest(encode({ name: "no ids" }));
    expect(span).toMatchObject({ traceId: "0".repeat(32), spanId: "0".repeat(16) });
    expect(span?.parentSpanId).toBeUndefined();
    expect(() => decodeProtobufRequest(encode({ traceId: hex("abcd") }))).toThrow(
      /traceId: expected 16 bytes, got 2/,
    );
  });
});
