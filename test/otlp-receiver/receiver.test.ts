import { gzipSync } from "node:zlib";
import { context, type HrTime, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { ExportTraceServiceRequest, ExportTraceServiceResponse, type ReceivedSpan } from "./decode.js";
import { type OtlpReceiver, startOtlpReceiver } from "./receiver.js";

type ExportResult = Parameters<Parameters<SpanExporter["export"]>[1]>[0];
// ExportResultCode.FAILED from @opentelemetry/core, which is not a direct dependency of the workspace.
const EXPORT_FAILED = 1;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  // Reverse order: providers (registered after their receiver) flush and shut down before it closes.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver();
  cleanups.push(() => r.close());
  return r;
}

/** A provider exporting through `exporter` (batched) and recording into memory, the ground truth. */
function sdk(exporter: SpanExporter) {
  const memory = new InMemorySpanExporter();
  const batch = new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "svc", "deployment.environment.name": "test" }),
    spanProcessors: [batch, new SimpleSpanProcessor(memory)],
  });
  cleanups.push(() => provider.shutdown().catch(() => undefined));
  return { provider, batch, memory, tracer: provider.getTracer("receiver-test", "1.2.3") };
}

const LINKED = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
// Explicit times with sub-microsecond digits: ~1.7e18 ns is far above 2^53, so a lossy decoder shows.
const PARENT_START: HrTime = [1_700_000_000, 123_456_789];
const PARENT_END: HrTime = [1_700_000_001, 987_654_321];

/** A server span with a failing client child: the shape of a typical trace in Jaeger. */
function produceTrace(tracer: Tracer): void {
  const parent = tracer.startSpan("GET /orders", {
    kind: SpanKind.SERVER,
    startTime: PARENT_START,
    attributes: { "http.route": "/orders", "cache.hit": false, "http.status_code": 200, ratio: 0.25 },
    links: [{ context: LINKED }],
  });
  parent.setAttributes({ tags: ["a", "b"], ids: [1, 2, 3] });
  // No context manager is registered, so the parent travels in an explicit context.
  const parentContext = trace.setSpan(context.active(), parent);
  const child = tracer.startSpan("SELECT orders", { kind: SpanKind.CLIENT }, parentContext);
  child.addEvent("cache.miss", { "cache.key": "orders:42" });
  child.setStatus({ code: SpanStatusCode.ERROR, message: "db timeout" });
  child.end();
  parent.end(PARENT_END);
}

const ns = ([s, n]: HrTime): bigint => BigInt(s) * 1_000_000_000n + BigInt(n);

/** What the receiver must hold for one SDK span, derived independently from the ReadableSpan. */
function expected(span: ReadableSpan): ReceivedSpan {
  const { code, message } = span.status;
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    ...(span.parentSpanContext ? { parentSpanId: span.parentSpanContext.spanId } : {}),
    name: span.name,
    kind: span.kind + 1,
    startNs: ns(span.startTime),
    endNs: ns(span.endTime),
    attributes: { ...span.attributes },
    events: span.events.map((e) => ({ name: e.name, timeNs: ns(e.time), attributes: { ...e.attributes } })),
    links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
    status: message ? { code, message } : { code },
    resource: { ...span.resource.attributes },
    scope: { name: "receiver-test", version: "1.2.3" },
  };
}

describe.each([
  ["protobuf", "application/x-protobuf", (url: string) => new ProtoTraceExporter({ url })],
  ["OTLP/JSON", "application/json", (url: string) => new JsonTraceExporter({ url })],
])("spans exported by the official %s exporter", (_name, contentType, makeExporter) => {
  it("arrive exactly as the SDK recorded them", async () => {
    const r = await receiver();
    const { provider, memory, tracer } = sdk(makeExporter(r.tracesUrl));
    produceTrace(tracer);
    await provider.forceFlush();

    expect(r.requests).toBe(1);
    expect(r.requestLog[0]).toMatchObject({ status: 200, contentType, spans: 2 });
    const sdkSpans = memory.getFinishedSpans();
    expect(sdkSpans).toHaveLength(2);
    // Arrival order is export order, which for a batch is end order: child first.
    expect(r.spans).toEqual(sdkSpans.map(expected));

    const [child, parent] = r.spans;
    expect(child?.parentSpanId).toBe(parent?.spanId);
    expect(parent?.parentSpanId).toBeUndefined();
    expect(parent?.startNs).toBe(1_700_000_000_123_456_789n);
    expect(parent?.endNs).toBe(1_700_000_001_987_654_321n);
    expect(parent?.attributes).toEqual({
      "http.route": "/orders",
      "cache.hit": false,
      "http.status_code": 200,
      ratio: 0.25,
      tags: ["a", "b"],
      ids: [1, 2, 3],
    });
    expect(parent?.links).toEqual([{ traceId: LINKED.traceId, spanId: LINKED.spanId }]);
    expect(child?.events).toMatchObject([{ name: "cache.miss", attributes: { "cache.key": "orders:42" } }]);
    expect(child?.status).toEqual({ code: 2, message: "db timeout" });
    expect(child?.resource["service.name"]).toBe("svc");
  });
});

describe("toJaeger", () => {
  it("shows one trace whose child references its parent, in microseconds, with the error flagged", async () => {
    const r = await receiver();
    const { provider, tracer } = sdk(new ProtoTraceExporter({ url: r.tracesUrl }));
    produceTrace(tracer);
    await provider.forceFlush();

    const { data } = r.jaeger();
    expect(data).toHaveLength(1);
    const [jt] = data;
    expect(jt?.spans).toHaveLength(2);
    const byName = new Map(jt?.spans.map((s) => [s.operationName, s]));
    const parent = byName.get("GET /orders")!;
    const child = byName.get("SELECT orders")!;

    expect(child.references).toEqual([{ refType: "CHILD_OF", traceID: jt?.traceID, spanID: parent.spanID }]);
    expect(jt?.spans.some((s) => s.spanID === child.references[0]?.spanID)).toBe(true);
    expect(parent.references).toEqual([
      { refType: "FOLLOWS_FROM", traceID: LINKED.traceId, spanID: LINKED.spanId },
    ]);

    expect(parent.startTime).toBe(1_700_000_000_123_456);
    // (end - start) ns = 1_864_197_532, truncated to µs like Jaeger does.
    expect(parent.duration).toBe(1_864_197);
    const childNs = r.spans.find((s) => s.name === "SELECT orders")!;
    expect(child.startTime).toBe(Number(childNs.startNs / 1000n));

    const tag = (s: typeof child, key: string) => s.tags.find((t) => t.key === key);
    expect(tag(child, "error")).toEqual({ key: "error", type: "bool", value: true });
    expect(tag(child, "otel.status_code")?.value).toBe("ERROR");
    expect(tag(child, "otel.status_description")?.value).toBe("db timeout");
    expect(tag(child, "span.kind")?.value).toBe("client");
    expect(tag(parent, "span.kind")?.value).toBe("server");
    expect(tag(parent, "error")).toBeUndefined();
    expect(tag(parent, "otel.scope.name")?.value).toBe("receiver-test");
    expect(tag(parent, "http.status_code")).toEqual({ key: "http.status_code", type: "int64", value: 200 });
    expect(tag(parent, "ratio")).toEqual({ key: "ratio", type: "float64", value: 0.25 });
    expect(tag(parent, "tags")).toEqual({ key: "tags", type: "string", value: '["a","b"]' });
    expect(child.logs).toEqual([
      {
        timestamp: Number(childNs.events[0]!.timeNs / 1000n),
        fields: [
          { key: "event", type: "string", value: "cache.miss" },
          { key: "cache.key", type: "string", value: "orders:42" },
        ],
      },
    ]);

    expect(Object.keys(jt?.processes ?? {})).toEqual(["p1"]);
    expect(jt?.processes.p1).toEqual({
      serviceName: "svc",
      tags: [{ key: "deployment.environment.name", type: "string", value: "test" }],
    });
    expect(child.processID).toBe("p1");
  });
});

/** A 64-bit value as the {low, high} halves protobufjs writes directly (strings would be re-parsed per span). */
const long = (n: bigint) => ({ low: Number(n & 0xffffffffn), high: Number(n >> 32n), unsigned: true });

/** A hand-made protobuf request with `count` spans in one trace. */
function protobufRequest(count: number): Uint8Array {
  const traceId = Buffer.from("5b8efff798038103d269b633813fc60c", "hex");
  const [start, end] = [long(1_700_000_000_000_000_001n), long(1_700_000_000_000_001_001n)];
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId,
    spanId: Buffer.from((i + 1).toString(16).padStart(16, "0"), "hex"),
    name: `op-${i}`,
    kind: 1,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: [{ key: "i", value: { intValue: i } }],
  }));
  const request = { resourceSpans: [{ scopeSpans: [{ scope: { name: "hand" }, spans }] }] };
  return ExportTraceServiceRequest.encode(request).finish();
}

describe("the Jaeger OTLP/HTTP contract", () => {
  type Headers = Record<string, string>;
  const post = (url: string, contentType: string, body: string | Uint8Array, headers: Headers = {}) =>
    fetch(url, { method: "POST", headers: { "Content-Type": contentType, ...headers }, body });
  const status = async (...args: Parameters<typeof post>) => (await post(...args)).status;
  const PROTOBUF = "application/x-protobuf";

  it("rejects wrong methods, media types, paths and undecodable bodies", async () => {
    const r = await receiver();
    expect((await fetch(r.tracesUrl)).status).toBe(405);
    expect(await status(r.tracesUrl, "text/plain", "hello")).toBe(415);
    expect(await status(r.tracesUrl, PROTOBUF, Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toBe(400);
    expect(await status(r.tracesUrl, "application/json", "{not json")).toBe(400);
    expect(await status(r.tracesUrl, "application/json", '{"resourceSpans":5}')).toBe(400);
    expect(await status(`${r.url}/v1/metrics`, PROTOBUF, protobufRequest(1))).toBe(404);
    expect((await fetch(`${r.url}/`)).status).toBe(404);
    expect(r.spans).toEqual([]);
    expect(r.requests).toBe(0);
  });

  it("answers success with an empty ExportTraceServiceResponse in the request's encoding", async () => {
    const r = await receiver();
    const proto = await post(r.tracesUrl, PROTOBUF, protobufRequest(1));
    expect(proto.status).toBe(200);
    expect(proto.headers.get("content-type")).toBe(PROTOBUF);
    const bytes = new Uint8Array(await proto.arrayBuffer());
    expect(bytes).toHaveLength(0);
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes))).toEqual({});

    const json = await post(r.tracesUrl, "application/json; charset=utf-8", '{"resourceSpans":[]}');
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toBe("application/json");
    expect(await json.json()).toEqual({});
    expect(r.requests).toBe(2);
  });

  it("accepts gzip-encoded bodies", async () => {
    const r = await receiver();
    const gzip = { "Content-Encoding": "gzip" };
    expect(await status(r.tracesUrl, PROTOBUF, gzipSync(protobufRequest(3)), gzip)).toBe(200);
    expect(r.spans.map((s) => s.name)).toEqual(["op-0", "op-1", "op-2"]);
    // Like the collector, an encoding it cannot undo is a bad request, not a silent drop.
    expect(await status(r.tracesUrl, PROTOBUF, protobufRequest(1), { "Content-Encoding": "br" })).toBe(400);
  });

  it("takes 100,000 spans in one request", async () => {
    const r = await receiver();
    const body = protobufRequest(100_000);
    expect(body.length).toBeGreaterThan(5_000_000);
    expect(await status(r.tracesUrl, PROTOBUF, body)).toBe(200);
    const spans = await r.waitForSpans(100_000);
    expect(spans[99_999]).toMatchObject({
      name: "op-99999",
      spanId: "00000000000186a0",
      attributes: { i: 99_999 },
    });
    expect(spans[0]?.startNs).toBe(1_700_000_000_000_000_001n);
  });
});

describe("failWith", () => {
  it("makes exports fail and stores nothing until cleared", async () => {
    const r = await receiver();
    const exporter = new ProtoTraceExporter({ url: r.tracesUrl });
    const { batch, memory, tracer } = sdk(exporter);
    r.failWith(500);

    tracer.startSpan("lost").end();
    // 500 is not retryable, so the batch fails at once and forceFlush reports it.
    await expect(batch.forceFlush()).rejects.toThrow();
    const result = await new Promise<ExportResult>((resolve) =>
      exporter.export(memory.getFinishedSpans(), resolve),
    );
    expect(result.code).toBe(EXPORT_FAILED);
    expect(result.error).toMatchObject({ code: 500 });
    expect(r.spans).toEqual([]);
    expect(r.requests).toBe(0);
    expect(r.requestLog.map((x) => x.status)).toEqual([500, 500]);

    r.failWith(null);
    tracer.startSpan("delivered").end();
    await batch.forceFlush();
    expect((await r.waitForSpans(1)).map((s) => s.name)).toEqual(["delivered"]);
    expect(r.requests).toBe(1);
  });

  it("waitForSpans names the count and what arrived when it times out", async () => {
    const r = await receiver();
    await expect(r.waitForSpans(2, 50)).rejects.toThrow(/at least 2 span\(s\) within 50 ms, received 0/);
  });
});
