import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as rt from "@runtrace/core";
import { afterEach, describe, expect, it } from "vitest";
import { cleanUp, runFixture, storedTrace, tempDir, viewerWithOtlp } from "./helpers.js";

afterEach(cleanUp);

const built = fileURLToPath(new URL("../../packages/core/dist/otel.js", import.meta.url));

interface Made {
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: string;
  status: "ok" | "error";
}

describe("an OpenTelemetry app (no runtrace in it) exporting to the viewer", () => {
  it("is stored as one session with exactly its tree, from batches that came children first", async () => {
    const viewer = await viewerWithOtlp();
    const out = JSON.parse(await runFixture("otel-app.mjs", { OTLP_URL: viewer.otlpUrl })) as {
      traceId: string;
      spans: Made[];
    };
    const tree = (await storedTrace(viewer, out.traceId))!;
    expect(tree).toBeDefined();
    expect(tree.warnings).toEqual([]);
    const rootSpan = out.spans.find((s) => s.parentSpanId === undefined)!;
    expect(tree.root).toMatchObject({
      id: "0",
      kind: "session",
      node: "GET /report",
      status: "ok",
      traceId: out.traceId,
      attributes: { "service.name": "otel-app" },
    });
    expect(tree.size).toBe(out.spans.length);
    for (const made of out.spans) {
      const record = tree.get(made.spanId);
      expect(record, made.name).toMatchObject({
        id: made.spanId,
        parentId: made.parentSpanId ?? "0",
        node: made.name,
        kind: "span",
        status: made.status,
        spanId: made.spanId,
        traceId: out.traceId,
      });
      expect(record!.attributes["span.kind"]).toBe(made.kind === "internal" ? undefined : made.kind);
      expect(record!.attributes["runtrace.warning"]).toBeUndefined();
    }
    expect(tree.get(rootSpan.spanId)!.attributes).toMatchObject({
      "http.route": "/report",
      "span.kind": "server",
    });
    const failed = tree.find("SELECT users")!;
    expect(failed.error).toMatchObject({ name: "TypeError", message: "connection reset" });
    expect(failed.events.map((e) => e.name)).toEqual(["exception"]);
    expect(tree.find("summarize")!.attributes["otel.status_code"]).toBe("OK");
    expect(tree.find("chat gpt-4o")!.attributes).toMatchObject({
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 45,
    });
    // The span that outlived the root is there too, under the root span.
    expect(tree.find("send email")).toMatchObject({ parentId: rootSpan.spanId, status: "ok" });
    // As the CLI shows it.
    expect(rt.formatTree(tree, { color: false })).toMatch(/└─ ✓ GET \/report \[span server\]/);
  });
});

describe("a runtrace app exporting with setupTracing to the viewer", () => {
  it("is stored as the same session as its own JSONL file: ids, parents, names, kinds, statuses, times", async () => {
    expect(existsSync(built), "packages/core/dist is missing: run `npx tsc -b` first").toBe(true);
    const viewer = await viewerWithOtlp();
    const jsonlDir = tempDir();
    const { ids } = JSON.parse(
      await runFixture("runtrace-app.mjs", { OTLP_URL: viewer.otlpUrl, JSONL_DIR: jsonlDir }),
    ) as { ids: string[] };
    const own = await rt.readSession(ids[0]!, { dir: jsonlDir });
    const ingested = await rt.readSession(ids[0]!, { dir: viewer.dir });
    expect(ingested.warnings).toEqual([]);
    expect(ingested.size).toBe(own.size);
    for (const record of [own.root, ...own]) {
      const got = ingested.get(record.id)!;
      expect(got, `${record.node} #${record.id}`).toBeDefined();
      const fields = (r: rt.CallRecord) => ({
        id: r.id,
        parentId: r.parentId,
        sessionId: r.sessionId,
        node: r.node,
        kind: r.kind,
        status: r.status,
        attempts: r.attempts,
        input: r.input,
        output: r.output,
        traceId: r.traceId,
        spanId: r.spanId,
        error: r.error === undefined ? undefined : { name: r.error.name, message: r.error.message },
        events: r.events.map((e) => e.name),
      });
      expect(fields(got)).toEqual(fields(record));
      // Times cross OTLP as nanoseconds: the same to the microsecond.
      expect(Math.abs(got.start - record.start)).toBeLessThan(0.001);
      expect(Math.abs(got.end! - record.end!)).toBeLessThan(0.001);
    }
    // Attributes too, but for the one a span cannot tell apart from its kind's own: a model call's
    // gen_ai.operation.name "chat" (docs/tracing.md).
    const chat = (r: rt.CallRecord) => {
      const { "gen_ai.operation.name": operation, ...rest } = r.attributes;
      return r.kind === "llm" && operation === "chat" ? rest : r.attributes;
    };
    for (const record of [own.root, ...own])
      expect(ingested.get(record.id)!.attributes).toEqual(chat(record));
    expect(ingested.find("report")!.attributes["flow.graph"]).toEqual(
      own.find("report")!.attributes["flow.graph"],
    );
  });
});
