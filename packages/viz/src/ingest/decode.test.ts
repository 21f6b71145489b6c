import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { decodeJson, decodeProtobuf, ExportTraceServiceRequest, OtlpDecodeError } from "./decode.js";
import { OTLP_DESCRIPTOR } from "./otlp-descriptor.js";

const decodeJsonRequest = (body: string) => decodeJson(body).spans;
const decodeProtobufRequest = (body: Uint8Array) => decodeProtobuf(body).spans;

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
    expect(
      decodeJson('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}').firstError,
    ).toMatch(/traceId/);
  });

  it("refuses what is not an ExportTraceServiceRequest, and counts the spans it cannot read", () => {
    expect(() => decodeJsonRequest("[]")).toThrow(OtlpDecodeError);
    expect(() => decodeJsonRequest("[]")).toThrow(/expected an object/);
    expect(() => decodeJsonRequest("{not json")).toThrow(OtlpDecodeError);
    expect(() => decodeJsonRequest('{"resourceSpans":{}}')).toThrow(/resourceSpans: expected an array/);
    const partly = decodeJson(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { kind: "SERVER" },
                  { traceId: TRACE_ID, spanId: "eee19b7ec3c1b174", name: "fine" },
                  { traceId: "abc" },
                ],
              },
            ],
          },
          { resource: { attributes: "x" }, scopeSpans: [{ spans: [{}, {}] }] },
        ],
      }),
    );
    expect(partly.spans.map((s) => s.name)).toEqual(["fine"]);
    expect(partly.rejected).toBe(4);
    expect(partly.firstError).toMatch(/spans\[0\]\.kind: unknown enum value "SERVER"/);
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
    const wrong = decodeProtobuf(encode({ traceId: hex("abcd") }));
    expect(wrong).toMatchObject({ spans: [], rejected: 1 });
    expect(wrong.firstError).toMatch(/traceId: expected 16 bytes, got 2/);
  });

  it("refuses bytes that are not a message", () => {
    expect(() => decodeProtobuf(Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f))).toThrow(OtlpDecodeError);
  });

  it("keeps an attribute named __proto__ as a plain key", () => {
    const [span] = decodeJsonRequest(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: TRACE_ID,
                    spanId: "eee19b7ec3c1b174",
                    attributes: [{ key: "__proto__", value: { stringValue: "x" } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(Object.getPrototypeOf(span!.attributes)).toBe(Object.prototype);
    expect(Object.keys(span!.attributes)).toEqual(["__proto__"]);
  });
});

describe("the shipped schema", () => {
  it("is otlp.proto: the descriptor the package decodes with was generated from it", () => {
    const proto = readFileSync(new URL("./otlp.proto", import.meta.url), "utf8");
    // If this fails: node packages/viz/scripts/otlp-descriptor.mjs
    expect(OTLP_DESCRIPTOR).toEqual(protobuf.parse(proto).root.toJSON());
  });
});
