import { readFileSync } from "node:fs";
import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { decodeJson, decodeProtobuf, OtlpDecodeError, type ReceivedSpan } from "./decode.js";

// Requests are written with protobufjs from the schema the decoder follows: a second, independent
// implementation of the wire format.
const root = protobuf.parse(readFileSync(new URL("./otlp.proto", import.meta.url), "utf8")).root;
const ExportTraceServiceRequest = root.lookupType("otlp.v1.ExportTraceServiceRequest");

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

describe("the protobuf decoder against protobufjs", () => {
  const hexId = (bytes: number) =>
    fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString("hex"));
  const scalar = fc.oneof(
    fc.string().map((v) => ({ wire: { stringValue: v }, value: v as unknown })),
    fc.boolean().map((v) => ({ wire: { boolValue: v }, value: v as unknown })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => ({
      wire: { intValue: v.toString() },
      value: (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : v) as unknown,
    })),
    fc.double({ noNaN: true }).map((v) => ({ wire: { doubleValue: v }, value: v as unknown })),
    fc
      .uint8Array({ maxLength: 8 })
      .map((v) => ({ wire: { bytesValue: v }, value: new Uint8Array(v) as unknown })),
  );
  const value = fc.oneof(
    { weight: 4, arbitrary: scalar },
    fc.array(scalar, { maxLength: 3 }).map((items) => ({
      wire: { arrayValue: { values: items.map((i) => i.wire) } },
      value: items.map((i) => i.value) as unknown,
    })),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), scalar, { maxKeys: 3 }).map((entries) => ({
      wire: { kvlistValue: { values: Object.entries(entries).map(([key, v]) => ({ key, value: v.wire })) } },
      value: Object.fromEntries(Object.entries(entries).map(([key, v]) => [key, v.value])) as unknown,
    })),
  );
  const attributes = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), value, { maxKeys: 4 });
  const time = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
  const span = fc.record({
    traceId: hexId(16),
    spanId: hexId(8),
    parentSpanId: fc.option(hexId(8), { nil: undefined }),
    name: fc.string(),
    kind: fc.integer({ min: 0, max: 5 }),
    startNs: time,
    endNs: time,
    attributes,
    events: fc.array(fc.record({ name: fc.string(), timeNs: time, attributes }), { maxLength: 2 }),
    status: fc.record({ code: fc.constantFrom(0 as const, 1 as const, 2 as const), message: fc.string() }),
  });
  const wireAttributes = (a: Record<string, { wire: unknown }>) =>
    Object.entries(a).map(([key, v]) => ({ key, value: v.wire }));
  const plain = (a: Record<string, { value: unknown }>) =>
    Object.fromEntries(Object.entries(a).map(([key, v]) => [key, v.value]));

  it("reads every span exactly as protobufjs wrote it", () => {
    fc.assert(
      fc.property(fc.array(span, { minLength: 1, maxLength: 4 }), attributes, (spans, resource) => {
        const body = ExportTraceServiceRequest.encode({
          resourceSpans: [
            {
              resource: { attributes: wireAttributes(resource) },
              scopeSpans: [
                {
                  scope: { name: "s", version: "1" },
                  spans: spans.map((s) => ({
                    traceId: hex(s.traceId),
                    spanId: hex(s.spanId),
                    ...(s.parentSpanId === undefined ? {} : { parentSpanId: hex(s.parentSpanId) }),
                    name: s.name,
                    kind: s.kind,
                    startTimeUnixNano: s.startNs.toString(),
                    endTimeUnixNano: s.endNs.toString(),
                    attributes: wireAttributes(s.attributes),
                    events: s.events.map((e) => ({
                      name: e.name,
                      timeUnixNano: e.timeNs.toString(),
                      attributes: wireAttributes(e.attributes),
                    })),
                    status: { code: s.status.code, message: s.status.message },
                  })),
                },
              ],
            },
          ],
        }).finish();
        const decoded = decodeProtobuf(body);
        expect(decoded.rejected).toBe(0);
        const expected = spans.map((s): ReceivedSpan => {
          const out: ReceivedSpan = {
            traceId: s.traceId,
            spanId: s.spanId,
            name: s.name,
            kind: s.kind,
            startNs: s.startNs,
            endNs: s.endNs,
            attributes: plain(s.attributes),
            events: s.events.map((e) => ({
              name: e.name,
              timeNs: e.timeNs,
              attributes: plain(e.attributes),
            })),
            links: [],
            status: s.status.message === "" ? { code: s.status.code } : s.status,
            resource: plain(resource),
            scope: { name: "s", version: "1" },
          };
          if (s.parentSpanId !== undefined) out.parentSpanId = s.parentSpanId;
          return out;
        });
        expect(decoded.spans).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses bytes cut anywhere, never anything worse than OtlpDecodeError", () => {
    const body = ExportTraceServiceRequest.encode({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
          scopeSpans: [{ spans: [{ traceId: hex(TRACE_ID), spanId: hex("eee19b7ec3c1b174"), name: "n" }] }],
        },
      ],
    }).finish();
    for (let cut = 1; cut < body.length; cut++) {
      try {
        decodeProtobuf(body.subarray(0, cut));
      } catch (error) {
        expect(error).toBeInstanceOf(OtlpDecodeError);
      }
    }
  });
});
