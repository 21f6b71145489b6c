import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as rt from "@runtrace/core";
import { afterEach, describe, expect, it } from "vitest";
import { ExportTraceServiceResponse, RpcStatus } from "../otlp-receiver/decode.js";
import {
  cleanUp,
  jsonBody,
  protobufBody,
  protoSpan,
  ROOT,
  raw,
  storedTrace,
  TRACE,
  tempDir,
  viewerWithOtlp,
} from "./helpers.js";

afterEach(cleanUp);

const PROTOBUF = { "content-type": "application/x-protobuf" };
const JSON_TYPE = { "content-type": "application/json" };
const ROOT_ID = "00f067aa0ba902b7";
const CHILD_ID = "00f067aa0ba902b8";

const jsonSpan = (spanId: string, parentSpanId: string | undefined, name: string) => ({
  traceId: TRACE,
  spanId,
  ...(parentSpanId === undefined ? {} : { parentSpanId }),
  name,
  kind: 2,
  startTimeUnixNano: "1795369671000000000",
  endTimeUnixNano: "1795369671010000000",
  status: { code: 1 },
});

describe("POST /v1/traces", () => {
  it("takes protobuf and answers an empty ExportTraceServiceResponse once the spans are stored", async () => {
    const viewer = await viewerWithOtlp();
    const body = protobufBody([
      protoSpan(CHILD_ID, ROOT_ID, "child", 1, 5),
      protoSpan(ROOT_ID, undefined, "root"),
    ]);
    const res = await raw(viewer.otlpPort, { headers: PROTOBUF, body });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/x-protobuf");
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(res.body))).toEqual({});
    const tree = (await storedTrace(viewer, TRACE))!;
    expect(tree.root).toMatchObject({ node: "root", status: "ok", attributes: { "service.name": "shop" } });
    expect(tree.find("child")).toMatchObject({
      kind: "span",
      parentId: ROOT_ID,
      attributes: { step: "child" },
    });
  });

  it("takes OTLP/JSON (with a charset) and gzip of either", async () => {
    const viewer = await viewerWithOtlp();
    const json = await raw(viewer.otlpPort, {
      headers: { "content-type": "application/json; charset=utf-8" },
      body: jsonBody([jsonSpan(ROOT_ID, undefined, "json root")]),
    });
    expect(json.status).toBe(200);
    expect(json.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(json.body.toString())).toEqual({});
    const zipped = await raw(viewer.otlpPort, {
      headers: { ...JSON_TYPE, "content-encoding": "gzip" },
      body: gzipSync(jsonBody([jsonSpan(CHILD_ID, ROOT_ID, "zipped json")])),
    });
    expect(zipped.status).toBe(200);
    const proto = await raw(viewer.otlpPort, {
      headers: { ...PROTOBUF, "content-encoding": "gzip" },
      body: gzipSync(protobufBody([protoSpan("00f067aa0ba902b9", ROOT_ID, "zipped protobuf", 2, 3)])),
    });
    expect(proto.status).toBe(200);
    const tree = (await storedTrace(viewer, TRACE))!;
    expect(
      tree
        .findAll(() => true)
        .map((r) => r.node)
        .sort(),
    ).toEqual(["json root", "zipped json", "zipped protobuf"]);
    expect(tree.find("json root")!.attributes["span.kind"]).toBe("server");
  });

  it("answers a partial success naming how many spans it could not use, and stores the others", async () => {
    const viewer = await viewerWithOtlp();
    const json = await raw(viewer.otlpPort, {
      headers: JSON_TYPE,
      body: jsonBody([
        jsonSpan(ROOT_ID, undefined, "fine"),
        { ...jsonSpan(CHILD_ID, ROOT_ID, "bad id"), spanId: "abc" },
        { ...jsonSpan("", ROOT_ID, "no id") },
      ]),
    });
    expect(json.status).toBe(200);
    const answer = JSON.parse(json.body.toString());
    expect(answer.partialSuccess.rejectedSpans).toBe("2");
    expect(answer.partialSuccess.errorMessage).toMatch(/spans\[1\]\.spanId: expected 16 hex digits/);
    const proto = await raw(viewer.otlpPort, {
      headers: PROTOBUF,
      body: protobufBody([{ ...protoSpan(CHILD_ID, ROOT_ID, "short id"), spanId: Buffer.from("ab", "hex") }]),
    });
    expect(proto.status).toBe(200);
    const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(proto.body), {
      longs: String,
    });
    expect(decoded.partialSuccess).toMatchObject({ rejectedSpans: "1" });
    expect(decoded.partialSuccess.errorMessage).toMatch(/spanId: expected 8 bytes, got 1/);
    const tree = (await storedTrace(viewer, TRACE))!;
    expect(tree.findAll(() => true).map((r) => r.node)).toEqual(["fine"]);
  });

  it("refuses a body it cannot read with 400 and a google.rpc.Status saying why", async () => {
    const viewer = await viewerWithOtlp();
    const proto = await raw(viewer.otlpPort, {
      headers: PROTOBUF,
      body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
    });
    expect(proto.status).toBe(400);
    expect(RpcStatus.toObject(RpcStatus.decode(proto.body))).toMatchObject({
      code: 3,
      message: expect.stringMatching(/not a protobuf ExportTraceServiceRequest/),
    });
    const json = await raw(viewer.otlpPort, { headers: JSON_TYPE, body: "{not json" });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body.toString())).toMatchObject({
      code: 3,
      message: expect.stringMatching(/OTLP\/JSON/),
    });
    const shape = await raw(viewer.otlpPort, { headers: JSON_TYPE, body: '{"resourceSpans":"x"}' });
    expect(shape.status).toBe(400);
    expect(JSON.parse(shape.body.toString()).message).toMatch(/resourceSpans: expected an array/);
    const gzip = await raw(viewer.otlpPort, {
      headers: { ...JSON_TYPE, "content-encoding": "gzip" },
      body: "not gzip",
    });
    expect(gzip.status).toBe(400);
    expect(JSON.parse(gzip.body.toString()).message).toMatch(/gzip body could not be read/);
  });

  it("answers 405 to other methods, 415 to other types and encodings, 404 elsewhere", async () => {
    const viewer = await viewerWithOtlp();
    const get = await raw(viewer.otlpPort, { method: "GET" });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
    const text = await raw(viewer.otlpPort, { headers: { "content-type": "text/plain" }, body: "hi" });
    expect(text.status).toBe(415);
    expect(JSON.parse(text.body.toString()).error.message).toMatch(
      /application\/x-protobuf or application\/json/,
    );
    const none = await raw(viewer.otlpPort, { body: "{}" });
    expect(none.status).toBe(415);
    const brotli = await raw(viewer.otlpPort, {
      headers: { ...JSON_TYPE, "content-encoding": "br" },
      body: "{}",
    });
    expect(brotli.status).toBe(415);
    expect(JSON.parse(brotli.body.toString()).error.message).toMatch(/Content-Encoding "br"/);
    const other = await raw(viewer.otlpPort, { path: "/v1/metrics", headers: JSON_TYPE, body: "{}" });
    expect(other.status).toBe(404);
    expect(JSON.parse(other.body.toString()).error.message).toMatch(/POST \/v1\/traces/);
  });

  it("answers 413 to a body over the limit, declared, streamed, or once gunzipped", async () => {
    const viewer = await viewerWithOtlp({ maxBodyBytes: 4096 });
    const big = Buffer.alloc(8192, 0x20);
    const declared = await raw(viewer.otlpPort, { headers: JSON_TYPE, body: big });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body.toString()).message).toMatch(/over 4096 bytes/);
    const streamed = await raw(viewer.otlpPort, {
      headers: { ...JSON_TYPE, "transfer-encoding": "chunked" },
      body: big,
    });
    expect(streamed.status).toBe(413);
    const bomb = await raw(viewer.otlpPort, {
      headers: { ...PROTOBUF, "content-encoding": "gzip" },
      body: gzipSync(Buffer.alloc(1024 * 1024)),
    });
    expect(bomb.status).toBe(413);
    expect(RpcStatus.decode(bomb.body).toJSON()).toMatchObject({ code: 8 });
    // Still serving.
    const ok = await raw(viewer.otlpPort, {
      headers: JSON_TYPE,
      body: jsonBody([jsonSpan(ROOT_ID, undefined, "after")]),
    });
    expect(ok.status).toBe(200);
  });

  it("refuses a foreign Host and another site's page with 403, as the viewer does", async () => {
    const viewer = await viewerWithOtlp();
    const body = jsonBody([jsonSpan(ROOT_ID, undefined, "never")]);
    const host = await raw(viewer.otlpPort, {
      headers: { ...JSON_TYPE, host: `evil.example:${viewer.otlpPort}` },
      body,
    });
    expect(host.status).toBe(403);
    expect(JSON.parse(host.body.toString()).error.code).toBe("forbidden_host");
    const origin = await raw(viewer.otlpPort, {
      headers: { ...JSON_TYPE, origin: "http://evil.example" },
      body,
    });
    expect(origin.status).toBe(403);
    expect(JSON.parse(origin.body.toString()).error.code).toBe("cross_site");
    const site = await raw(viewer.otlpPort, {
      headers: { ...JSON_TYPE, "sec-fetch-site": "cross-site" },
      body,
    });
    expect(site.status).toBe(403);
    const localhost = await raw(viewer.otlpPort, {
      headers: { ...JSON_TYPE, host: `localhost:${viewer.otlpPort}` },
      body: jsonBody([jsonSpan(ROOT_ID, undefined, "by localhost")]),
    });
    expect(localhost.status).toBe(200);
    expect((await storedTrace(viewer, TRACE))!.find("by localhost")).toBeDefined();
    expect((await storedTrace(viewer, TRACE))!.find("never")).toBeUndefined();
  });

  it("survives garbage and keeps what it had received", async () => {
    const viewer = await viewerWithOtlp();
    const first = await raw(viewer.otlpPort, {
      headers: JSON_TYPE,
      body: jsonBody([jsonSpan(ROOT_ID, undefined, "kept")]),
    });
    expect(first.status).toBe(200);
    // Not HTTP at all.
    await new Promise<void>((resolve) => {
      const socket = connect(viewer.otlpPort, "127.0.0.1", () => socket.end("\x00\xff garbage\r\n\r\n"));
      socket.on("close", () => resolve());
      socket.on("error", () => resolve());
      // Read the answer (a 400 from node's HTTP parser): a socket nobody reads never closes.
      socket.resume();
    });
    // Random bytes as protobuf, random text as JSON, a connection cut mid-body.
    let seed = 7;
    const next = () => {
      seed = (seed * 48271) % 2147483647;
      return seed & 0xff;
    };
    const random = (n: number) => Buffer.from(Array.from({ length: n }, next));
    for (let i = 0; i < 20; i++) {
      const res = await raw(viewer.otlpPort, { headers: PROTOBUF, body: random(50 + i * 37) });
      expect([200, 400]).toContain(res.status);
      const text = await raw(viewer.otlpPort, { headers: JSON_TYPE, body: random(40).toString("latin1") });
      expect(text.status).toBe(400);
    }
    await new Promise<void>((resolve) => {
      const socket = connect(viewer.otlpPort, "127.0.0.1", () => {
        socket.write(
          `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${viewer.otlpPort}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"resourceSpans":`,
        );
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on("close", () => resolve());
    });
    const after = await raw(viewer.otlpPort, {
      headers: JSON_TYPE,
      body: jsonBody([jsonSpan(CHILD_ID, ROOT_ID, "still here")]),
    });
    expect(after.status).toBe(200);
    const tree = (await storedTrace(viewer, TRACE))!;
    expect(
      tree
        .findAll(() => true)
        .map((r) => r.node)
        .sort(),
    ).toEqual(["kept", "still here"]);
  });
});

describe("spans that claim to be runtrace's", () => {
  it("are stored with their values made safe: a 64-bit integer, a huge name, a forged id, a __proto__ key", async () => {
    const viewer = await viewerWithOtlp();
    const identity = (callId: string, kind: string, node: string) => [
      { key: "runtrace.node", value: { stringValue: node } },
      { key: "runtrace.kind", value: { stringValue: kind } },
      { key: "runtrace.session.id", value: { stringValue: "20261122-174751-4f5d811acd" } },
      { key: "runtrace.call.id", value: { stringValue: callId } },
    ];
    const res = await raw(viewer.otlpPort, {
      headers: JSON_TYPE,
      body: jsonBody([
        { ...jsonSpan(ROOT_ID, undefined, "s"), attributes: identity("0", "session", "s") },
        {
          ...jsonSpan(CHILD_ID, ROOT_ID, "big"),
          attributes: [
            ...identity("1", "tool", "x".repeat(100_000)),
            { key: "huge", value: { intValue: "9223372036854775807" } },
            { key: "runtrace.flow.x.__proto__.polluted", value: { stringValue: "yes" } },
          ],
          events: [
            {
              name: "e",
              timeUnixNano: "1795369671005000000",
              attributes: [{ key: "n", value: { intValue: "-9223372036854775808" } }],
            },
          ],
        },
        { ...jsonSpan("00f067aa0ba902b9", ROOT_ID, "forged"), attributes: identity('1"}', "tool", "forged") },
      ]),
    });
    expect(res.status).toBe(200);
    const tree = await rt.readSession("20261122-174751-4f5d811acd", { dir: viewer.dir });
    expect(tree.warnings).toEqual([]);
    const big = tree.get("1")!;
    expect(big.attributes.huge).toBe("9223372036854775807n");
    // A key of the flow's nesting is data, not a way into the viewer's prototypes.
    expect(JSON.stringify(big.attributes["flow.x"])).toBe('{"__proto__":{"polluted":"yes"}}');
    expect(big.events[0]!.data).toEqual({ n: "-9223372036854775808n" });
    expect(big.node.length).toBeLessThan(10_000);
    expect(tree.get("00f067aa0ba902b9")).toMatchObject({ kind: "span", node: "forged" });
  });
});

describe("runtrace viz --otlp", () => {
  it("creates the directory, says where to send traces, and stores what arrives", async () => {
    const dir = join(tempDir(), "new");
    const viz = spawn(process.execPath, [
      join(ROOT, "packages/viz/dist/cli/main.js"),
      "viz",
      "--port",
      "0",
      "--otlp",
      "0",
      "--dir",
      dir,
    ]);
    try {
      let out = "";
      viz.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
      });
      const deadline = Date.now() + 20_000;
      while (!/OTEL_EXPORTER_OTLP_ENDPOINT=(\S+)\)/.test(out) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const endpoint = /OTEL_EXPORTER_OTLP_ENDPOINT=(\S+)\)/.exec(out)![1]!;
      expect(out).toContain(`OTLP/HTTP traces: ${endpoint}/v1/traces`);
      expect(existsSync(dir)).toBe(true);
      const res = await fetch(`${endpoint}/v1/traces`, {
        method: "POST",
        headers: JSON_TYPE,
        body: jsonBody([jsonSpan(ROOT_ID, undefined, "from the cli")]),
      });
      expect(res.status).toBe(200);
      const viewerUrl = /runtrace viewer: (\S+)/.exec(out)![1]!;
      const list = (await (await fetch(new URL("/api/sessions", viewerUrl))).json()) as {
        sessions: Array<{ name: string; status: string }>;
      };
      expect(list.sessions).toMatchObject([{ name: "from the cli", status: "ok" }]);
    } finally {
      viz.kill("SIGTERM");
    }
  });
});
