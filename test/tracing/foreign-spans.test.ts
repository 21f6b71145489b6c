// Spans other instrumentation starts during runtrace calls are recorded in the call tree: Node's
// fetch through OpenTelemetry's undici instrumentation, an application's own spans, an app with its
// own provider and runtraceSpanProcessor. Real HTTP on 127.0.0.1, real instrumentation.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import * as rt from "@runtrace/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runtraceSpanProcessor } from "../../packages/core/src/otel.js";
import { receiver, tracing, useTracingTestHooks, warnings } from "./helpers.js";

useTracingTestHooks();

let server: Server;
let base: string;
let unpatch: () => void;
const undici = new UndiciInstrumentation();

/** Points the instrumentation at the provider registered now (it keeps the tracer it got first). */
function instrumentFetch(): void {
  undici.setTracerProvider(trace.getTracerProvider());
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const delay = Number(new URL(req.url!, "http://x").searchParams.get("ms") ?? 0);
    setTimeout(() => {
      res.writeHead(req.url!.startsWith("/missing") ? 404 : 200, { "content-type": "text/plain" });
      res.end(`answer to ${req.url}`);
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  unpatch = registerInstrumentations({ instrumentations: [undici] });
});

afterAll(async () => {
  unpatch();
  await new Promise((resolve) => server.close(resolve));
});

const fetchText = rt.functionNode(
  async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return `${response.status} ${await response.text()}`;
  },
  { name: "fetchText", kind: "tool" },
);

function byName(tree: rt.CallTree, name: string): rt.CallRecord[] {
  return [...tree].filter((record) => record.node === name);
}

describe("foreign spans with setupTracing", () => {
  it("puts each fetch of parallel calls under its own caller, with the span's attributes and status", async () => {
    const sink = await receiver();
    tracing({ serviceName: "foreign", endpoint: sink.url });
    instrumentFetch();
    const session = new rt.Session({ name: "parallel fetches", store: rt.memoryStore() });
    const paths = ["/a?ms=30", "/b?ms=5", "/c?ms=15", "/missing?ms=1"];
    const results = await session.run(() => rt.all(paths.map((path) => () => rt.call(fetchText, path))));
    expect(results[0]).toBe("200 answer to /a?ms=30");

    const tree = session.tree;
    const callers = byName(tree, "fetchText");
    expect(callers).toHaveLength(4);
    for (const caller of callers) {
      expect(caller.children).toHaveLength(1);
      const span = caller.children[0]!;
      expect(span.kind).toBe("span");
      expect(span.node).toBe("GET");
      expect(span.attributes["url.full"]).toBe(`${base}${(caller.input as string[])[0]}`);
      expect(span.attributes["span.kind"]).toBe("client");
      expect(span.start).toBeGreaterThanOrEqual(caller.start);
      expect(span.end).toBeLessThanOrEqual(caller.end!);
    }
    const byUrl = new Map(callers.map((caller) => [(caller.input as string[])[0], caller.children[0]!]));
    expect(byUrl.get("/a?ms=30")!.attributes["http.response.status_code"]).toBe(200);
    expect(byUrl.get("/missing?ms=1")!.attributes["http.response.status_code"]).toBe(404);
    // Each span's trace and span ids are the exported span's: it is the same span, not a copy.
    const exported = await sink.waitForSpans(1 + 4 + 4);
    const fetchSpans = exported.filter((span) => span.name === "GET");
    expect(fetchSpans.map((span) => span.spanId).sort()).toEqual(
      callers.map((c) => c.children[0]!.spanId).sort(),
    );
    // runtrace's own spans are its calls, never recorded twice.
    expect(tree.size).toBe(8);
    expect(warnings).toEqual([]);
  });

  for (const [clock, skewMs] of [
    ["ahead of", 5],
    ["behind", -5],
  ] as const) {
    it(`keeps foreign spans inside their calls when the system clock is ${clock} the monotonic one`, async () => {
      // The SDK takes a span's times from Date.now() (the end of undici's spans, both times of an
      // application's own): after an NTP step it differs from the clock runtrace's times count on.
      const sink = await receiver();
      tracing({ serviceName: "foreign", endpoint: sink.url });
      instrumentFetch();
      const tracer = trace.getTracer("my-app");
      let eventAt = 0;
      const ownSpan = rt.functionNode(
        () =>
          tracer.startActiveSpan("own work", async (span) => {
            await new Promise((resolve) => setTimeout(resolve, 2));
            eventAt = performance.timeOrigin + performance.now();
            span.addEvent("halfway");
            await new Promise((resolve) => setTimeout(resolve, 2));
            span.end();
          }),
        { name: "ownSpan" },
      );
      const realNow = Date.now.bind(Date);
      const skewed = vi.spyOn(Date, "now").mockImplementation(() => realNow() + skewMs);
      const session = new rt.Session({ name: "skewed clock", store: rt.memoryStore() });
      try {
        await session.run(() =>
          rt.all([
            () => rt.call(fetchText, "/a?ms=2"),
            () => rt.call(fetchText, "/b?ms=0"),
            () => rt.call(ownSpan),
          ]),
        );
      } finally {
        skewed.mockRestore();
      }
      const callers = [...byName(session.tree, "fetchText"), ...byName(session.tree, "ownSpan")];
      expect(callers).toHaveLength(3);
      for (const caller of callers) {
        const span = caller.children[0]!;
        expect(span.kind).toBe("span");
        expect(span.start).toBeGreaterThanOrEqual(caller.start);
        expect(span.end).toBeGreaterThanOrEqual(span.start);
        expect(span.end).toBeLessThanOrEqual(caller.end!);
      }
      const [halfway] = byName(session.tree, "ownSpan")[0]!.children[0]!.events;
      const own = byName(session.tree, "ownSpan")[0]!.children[0]!;
      expect(halfway?.name).toBe("halfway");
      // At the time it happened, give or take the system clock's whole milliseconds.
      expect(Math.abs(halfway!.time - eventAt)).toBeLessThan(2);
      expect(halfway!.time).toBeGreaterThanOrEqual(own.start);
      expect(halfway!.time).toBeLessThanOrEqual(own.end!);
      expect(warnings).toEqual([]);
    });
  }

  it("records the application's own spans, nested, with events, exceptions and status", async () => {
    const sink = await receiver();
    tracing({ serviceName: "foreign", endpoint: sink.url });
    const tracer = trace.getTracer("my-app");
    const work = rt.functionNode(
      () =>
        tracer.startActiveSpan("load config", async (outer) => {
          outer.setAttribute("config.file", "app.toml");
          await tracer.startActiveSpan("parse", async (inner) => {
            inner.addEvent("token", { count: 3 });
            inner.recordException(new TypeError("bad key"));
            inner.setStatus({ code: SpanStatusCode.ERROR, message: "parse failed" });
            inner.end();
          });
          outer.setStatus({ code: SpanStatusCode.OK });
          outer.end();
          return "done";
        }),
      { name: "work" },
    );
    const session = new rt.Session({ name: "own spans", store: rt.memoryStore() });
    await session.run(() => rt.call(work));
    const outer = session.tree.find("load config")!;
    expect(outer.parentId).toBe(session.tree.find("work")!.id);
    expect(outer).toMatchObject({ kind: "span", status: "ok" });
    expect(outer.attributes).toMatchObject({ "config.file": "app.toml", "otel.status_code": "OK" });
    const inner = outer.children[0]!;
    expect(inner).toMatchObject({ node: "parse", kind: "span", status: "error" });
    expect(inner.error).toMatchObject({ name: "TypeError", message: "parse failed" });
    expect(inner.events.map((event) => event.name)).toEqual(["token", "exception"]);
    expect(inner.events[0]!.data).toEqual({ count: 3 });
  });

  it("records a span still open when its session ends as interrupted, and leaves spans outside calls alone", async () => {
    tracing({ serviceName: "foreign", endpoint: (await receiver()).url });
    const tracer = trace.getTracer("my-app");
    const left = tracer.startSpan("outside any call");
    left.end();
    let open: ReturnType<typeof tracer.startSpan> | undefined;
    const starter = rt.functionNode(
      () => {
        open = tracer.startSpan("background job");
      },
      { name: "starter" },
    );
    const session = new rt.Session({ name: "left open", store: rt.memoryStore() });
    await session.run(() => rt.call(starter));
    open!.end();
    const job = session.tree.find("background job")!;
    expect(job.status).toBe("interrupted");
    expect(job.end).toBe(session.tree.root.end);
    expect(session.tree.find("outside any call")).toBeUndefined();
  });

  it("is off with foreignSpans: false", async () => {
    tracing({ serviceName: "foreign", endpoint: (await receiver()).url, foreignSpans: false });
    instrumentFetch();
    const session = new rt.Session({ name: "off", store: rt.memoryStore() });
    await session.run(() => rt.call(fetchText, "/x"));
    expect(session.tree.find("fetchText")!.children).toEqual([]);
  });
});

describe("runtraceSpanProcessor in an application's own provider", () => {
  it("records foreign spans in the tree and the stored file, while the app's exporter gets every span", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      spanProcessors: [runtraceSpanProcessor(), new SimpleSpanProcessor(exporter)],
    });
    provider.register();
    instrumentFetch();
    const dir = (await import("node:fs")).mkdtempSync(
      `${(await import("node:os")).tmpdir()}/runtrace-foreign-`,
    );
    const session = new rt.Session({ name: "own provider", store: rt.jsonlStore({ dir }) });
    await session.run(() => rt.all([() => rt.call(fetchText, "/one"), () => rt.call(fetchText, "/two")]));
    await provider.forceFlush();
    const stored = await rt.readSession(session.id, { dir });
    const spans = [...stored].filter((record) => record.kind === "span");
    expect(spans.map((span) => stored.find((r) => r.id === span.parentId)?.node)).toEqual([
      "fetchText",
      "fetchText",
    ]);
    expect(spans.every((span) => span.status === "ok" && span.end !== undefined)).toBe(true);
    expect(
      exporter
        .getFinishedSpans()
        .map((span) => span.name)
        .sort(),
    ).toEqual(["GET", "GET", "execute_tool fetchText", "execute_tool fetchText", "own provider"]);
    await provider.shutdown();
  });
});
