import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as rt from "@runtrace/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toHtml, toJaegerJson, toOtlpJson } from "../../packages/viz/src/index.js";
import type { InlineData } from "../../packages/viz/src/shared/types.js";
import { decodeJsonRequest } from "../otlp-receiver/decode.js";
import { removeTempDirs, runCli, tempDir } from "./fixtures/helpers.js";
import { recordCheckout } from "./fixtures/shop.js";

interface JaegerOut {
  data: Array<{
    traceID: string;
    spans: Array<{
      traceID: string;
      spanID: string;
      operationName: string;
      references: Array<{ refType: string; traceID: string; spanID: string }>;
      startTime: number;
      duration: number;
      tags: Array<{ key: string; type: string; value: unknown }>;
      logs: Array<{ timestamp: number; fields: Array<{ key: string; value: unknown }> }>;
      processID: string;
    }>;
    processes: Record<string, { serviceName: string; tags: unknown[] }>;
  }>;
}

let dir: string;
let id: string;
let tree: rt.CallTree;

beforeEach(async () => {
  dir = tempDir();
  id = await recordCheckout(dir);
  tree = await rt.readSession(id, { dir });
});

afterEach(() => removeTempDirs());

describe("runtrace export --format jaeger", () => {
  it("writes a file Jaeger UI loads: hex ids, µs times, resolving CHILD_OF references, a process per service", async () => {
    const { code, stdout, stderr } = await runCli(["export", id, "--format", "jaeger", "--dir", dir]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const file = JSON.parse(stdout) as JaegerOut;
    expect(file.data).toHaveLength(1);
    const trace = file.data[0]!;
    expect(trace.traceID).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.spans).toHaveLength(tree.size + 1);

    const byId = new Map(trace.spans.map((span) => [span.spanID, span]));
    expect(byId.size).toBe(trace.spans.length);
    const records = [tree.root, ...tree];
    for (const span of trace.spans) {
      expect(span.traceID).toBe(trace.traceID);
      expect(span.spanID).toMatch(/^[0-9a-f]{16}$/);
      expect(Number.isInteger(span.startTime) && Number.isInteger(span.duration)).toBe(true);
      for (const ref of span.references) {
        expect(ref.refType).toBe("CHILD_OF");
        expect(ref.traceID).toBe(trace.traceID);
        expect(byId.has(ref.spanID), `${span.operationName} → ${ref.spanID}`).toBe(true);
      }
      expect(trace.processes[span.processID]).toBeDefined();
    }
    // Same order as the tree (root first, then depth-first): times are the records' in µs.
    trace.spans.forEach((span, i) => {
      const record = records[i]!;
      expect(span.operationName).toBe(rt.describeSpan(record, { input: true, output: true }).name);
      expect(Math.abs(span.startTime - record.start * 1000)).toBeLessThanOrEqual(1);
      expect(Math.abs(span.duration - (record.end! - record.start) * 1000)).toBeLessThanOrEqual(1);
    });
    const root = trace.spans[0]!;
    expect(root.operationName).toBe("checkout");
    expect(trace.spans[1]!.operationName).toBe("invoke_agent checkout");
    expect(root.references).toEqual([]);
    expect(root.startTime).toBeGreaterThan(1e15); // microseconds since 1970, not milliseconds

    const parentOf = (name: string) => {
      const span = trace.spans.find((s) => s.operationName === name)!;
      return byId.get(span.references[0]!.spanID)!.operationName;
    };
    expect(parentOf("lookup")).toBe("invoke_agent checkout");
    expect(parentOf("execute_tool charge")).toBe("invoke_agent checkout");
    expect(parentOf("fraudCheck")).toBe("execute_tool charge");

    const services = Object.values(trace.processes).map((p) => p.serviceName);
    expect(services.sort()).toEqual(["payments", "shop"]);
    const serviceOf = (name: string) =>
      trace.processes[trace.spans.find((s) => s.operationName === name)!.processID]!.serviceName;
    expect(serviceOf("checkout")).toBe("shop");
    expect(serviceOf("lookup")).toBe("shop");
    expect(serviceOf("execute_tool charge")).toBe("payments");
    expect(serviceOf("fraudCheck")).toBe("payments");

    const notify = trace.spans.find((s) => s.operationName === "notify")!;
    expect(notify.tags).toContainEqual({ key: "error", type: "bool", value: true });
    expect(notify.tags).toContainEqual({ key: "runtrace.status", type: "string", value: "error" });
    expect(notify.tags).toContainEqual({ key: "error.type", type: "string", value: "Error" });
    expect(notify.logs.at(-1)!.fields).toContainEqual({ key: "event", type: "string", value: "exception" });
    expect(notify.logs.at(-1)!.fields).toContainEqual({
      key: "exception.message",
      type: "string",
      value: "mail server refused ada",
    });
    const charge = trace.spans.find((s) => s.operationName === "execute_tool charge")!;
    expect(charge.tags).toContainEqual({ key: "gen_ai.tool.name", type: "string", value: "charge" });
    expect(charge.tags).toContainEqual({ key: "runtrace.kind", type: "string", value: "tool" });
    expect(charge.logs[0]!.fields).toContainEqual({ key: "event", type: "string", value: "charged" });
    // The ids are derived from the session, so exporting twice gives the same file.
    expect(toJaegerJson(tree)).toEqual(file);
  });

  it("writes OTLP JSON that decodes into the same spans and parents", async () => {
    const out = join(dir, "trace.otlp.json");
    const jaeger = JSON.parse(
      (await runCli(["export", id, "--format", "jaeger", "--dir", dir])).stdout,
    ) as JaegerOut;
    const { code, stderr } = await runCli(["export", "latest", "--format", "otlp", "-o", out, "--dir", dir]);
    expect(code).toBe(0);
    expect(stderr).toContain(out);
    const spans = decodeJsonRequest(readFileSync(out, "utf8"));
    expect(spans).toHaveLength(tree.size + 1);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const roots = spans.filter((span) => span.parentSpanId === undefined);
    expect(roots.map((span) => span.name)).toEqual(["checkout"]);
    expect(spans.find((s) => s.name === "chat" || s.name === "invoke_agent checkout")?.kind).toBe(1);
    for (const span of spans) {
      if (span.parentSpanId !== undefined) expect(byId.has(span.parentSpanId)).toBe(true);
      expect(span.endNs).toBeGreaterThanOrEqual(span.startNs);
    }
    // Same spans and parent links as the Jaeger file.
    const parentsOtlp = spans.map((s) => `${s.spanId}<${s.parentSpanId ?? ""}`).sort();
    const parentsJaeger = jaeger.data[0]!.spans.map(
      (s) => `${s.spanID}<${s.references[0]?.spanID ?? ""}`,
    ).sort();
    expect(parentsOtlp).toEqual(parentsJaeger);
    const notify = spans.find((s) => s.name === "notify")!;
    expect(notify.status).toEqual({ code: 2, message: "mail server refused ada" });
    expect(notify.events.map((e) => e.name)).toContain("exception");
    const charge = spans.find((s) => s.name === "execute_tool charge")!;
    expect(charge.resource["service.name"]).toBe("payments");
    expect(charge.events[0]).toMatchObject({ name: "charged", attributes: { amount: 12.5 * 2 } });
    const lookup = spans.find((s) => s.name === "lookup")!;
    const record = tree.find("lookup")!;
    // Nanoseconds since 1970, to within a microsecond of the recorded (sub-millisecond) start.
    expect(Math.abs(Number(lookup.startNs) / 1e6 - record.start)).toBeLessThan(0.001);
    expect(lookup.startNs).toBeGreaterThan(10n ** 18n);
  });

  it("says what was wrong with an unknown format or session, with exit code 1", async () => {
    const format = await runCli(["export", id, "--format", "xml", "--dir", dir]);
    expect(format.code).toBe(1);
    expect(format.stdout).toBe("");
    expect(format.stderr.trim().split("\n")).toHaveLength(1);
    expect(format.stderr).toMatch(/"xml".*jaeger, otlp or html.*--format jaeger/);
    const session = await runCli(["export", "nope", "--format", "jaeger", "--dir", dir]);
    expect(session.code).toBe(1);
    expect(session.stderr).toMatch(/no session "nope".*runtrace ls/);
  });

  it("exports a session whose file has fields of the wrong type (edited by hand), without them", async () => {
    const edited = "20261129-004800-0123456789";
    writeFileSync(
      join(dir, `${edited}.jsonl`),
      [
        `{"type":"session","v":1,"id":"${edited}","name":"edited","start":1795913280000,"pid":1,"host":"h"}`,
        '{"type":"call","id":"1","parent":"0","node":"a","kind":"tool","start":1795913280001,"events":"oops","attributes":5,"status":"ok","end":1795913280002,"traceId":7,"spanId":{"a":1}}',
        '{"type":"session-end","status":"ok","end":1795913280003}',
        "",
      ].join("\n"),
    );
    for (const format of ["jaeger", "otlp"]) {
      const out = await runCli(["export", edited, "--format", format, "--dir", dir]);
      expect(out.stderr).toBe("");
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('"a"');
    }
  });
});

describe("spans recorded from other instrumentation (kind span)", () => {
  it("export as the spans they were: name, span kind, attributes, OK status, events", async () => {
    const t0 = 1_795_369_671_142.5;
    const lines = [
      {
        type: "session",
        v: 1,
        id: "20261122-174751-5b8efff798",
        name: "GET /",
        start: t0,
        pid: 1,
        host: "h",
      },
      {
        type: "call",
        id: "00f067aa0ba902b6",
        parent: "0",
        node: "GET /",
        kind: "span",
        start: t0,
        attempts: 1,
        attributes: {
          "http.route": "/",
          "span.kind": "server",
          "otel.status_code": "OK",
          "service.name": "web",
        },
        traceId: "5b8efff798038103d269b633813fc60c",
        spanId: "00f067aa0ba902b6",
        status: "ok",
        end: t0 + 20,
      },
      {
        type: "call",
        id: "00f067aa0ba902b7",
        parent: "00f067aa0ba902b6",
        node: "SELECT users",
        kind: "span",
        start: t0 + 2,
        attempts: 1,
        events: [
          {
            name: "exception",
            time: t0 + 9,
            data: { "exception.type": "DbError", "exception.message": "gone" },
          },
        ],
        attributes: { "db.system": "postgresql", "span.kind": "client" },
        traceId: "5b8efff798038103d269b633813fc60c",
        spanId: "00f067aa0ba902b7",
        status: "error",
        end: t0 + 10,
        error: { name: "DbError", message: "connection gone" },
      },
      { type: "session-end", status: "ok", end: t0 + 20 },
    ];
    const file = join(dir, "20261122-174751-5b8efff798.jsonl");
    writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
    const spans = decodeJsonRequest(JSON.stringify(toOtlpJson(await rt.readSession(file))));
    const server = spans.find((s) => s.name === "GET /" && s.kind === 2)!;
    expect(server).toMatchObject({
      spanId: "00f067aa0ba902b6",
      status: { code: 1 },
      attributes: { "http.route": "/" },
      resource: { "service.name": "web" },
    });
    expect(Object.keys(server.attributes)).toEqual(["http.route"]);
    const query = spans.find((s) => s.name === "SELECT users")!;
    expect(query).toMatchObject({
      kind: 3,
      parentSpanId: "00f067aa0ba902b6",
      status: { code: 2, message: "connection gone" },
      attributes: { "db.system": "postgresql" },
    });
    // The exception event is the one recorded, not a second one.
    expect(query.events.map((e) => e.name)).toEqual(["exception"]);
    expect(query.attributes["runtrace.kind"]).toBeUndefined();
    const jaeger = toJaegerJson(await rt.readSession(file)).data[0]!;
    const tags = (spanId: string) =>
      Object.fromEntries(jaeger.spans.find((s) => s.spanID === spanId)!.tags.map((t) => [t.key, t.value]));
    expect(tags("00f067aa0ba902b6")).toMatchObject({ "span.kind": "server", "otel.status_code": "OK" });
    expect(tags("00f067aa0ba902b7")).toMatchObject({
      "span.kind": "client",
      "otel.status_code": "ERROR",
      error: true,
    });
    const show = await runCli(["show", file]);
    expect(show.stdout).toMatch(/SELECT users \[span client\]/);
  });
});

describe("toHtml", () => {
  function fakeClient(js: string, css: string): string {
    const client = tempDir();
    mkdirSync(join(client, "assets"));
    writeFileSync(join(client, "assets/app-1.js"), js);
    writeFileSync(join(client, "assets/app-1.css"), css);
    writeFileSync(
      join(client, "index.html"),
      '<!doctype html>\n<html><head><meta charset="utf-8"><title>runtrace</title>\n' +
        '<script type="module" crossorigin src="/assets/app-1.js"></script>\n' +
        '<link rel="stylesheet" crossorigin href="/assets/app-1.css">\n</head>\n' +
        '<body><div id="app"></div></body></html>\n',
    );
    return client;
  }

  it("inlines the app and the data so that recorded text cannot close a tag", async () => {
    const evil = "<img src=x onerror=alert(1)></script><script>alert(2)</script> & \u2028 <!-- $& $1";
    const node = rt.functionNode(async (text: string) => text, { name: "echo" });
    const session = new rt.Session({ name: `</title>${evil}`, store: null });
    await session.run(() => rt.call(node, evil));
    const client = fakeClient('document.title = "</script><!--";', "body{color:red}</style>");
    const html = toHtml(session.tree, { clientDir: client });

    expect(html.match(/<script/g)).toHaveLength(2);
    const data = /<script type="application\/json" id="runtrace-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(data).not.toMatch(/[<>&\u2028\u2029]/);
    const parsed = JSON.parse(data) as InlineData;
    expect(parsed.calls).toHaveLength(1);
    expect(parsed.calls[0]).toMatchObject({ input: [evil], output: evil, depth: 1, childCount: 0 });
    expect(parsed.session.root.node).toBe(`</title>${evil}`);
    expect(parsed.session.live).toBe(false);

    const app = /<script type="module">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(app).toBe('document.title = "\\x3C/script>\\x3C!--";');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256").update(app).digest("base64");
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    expect(html).toContain("<style>body{color:red}<\\/style></style>");
    expect(html).not.toMatch(/src="\/assets|href="\/assets/);
    expect(html).toContain("<title>&lt;/title&gt;&lt;img");
  });

  it("says how to build the app when it is not built", () => {
    expect(() => toHtml(tree, { clientDir: join(dir, "missing") })).toThrow(/not built.*npm run build/);
  });
});
