/**
 * One real session puts secrets everywhere a program puts them (see placements.ts), and every output
 * a user or a backend reads is searched for them: the JSONL file, `runtrace show`, the Jaeger, OTLP
 * and HTML exports, the viewer's API and its event stream (live and after the end), the spans a live
 * OTLP exporter sent, and runtrace's own warnings. Not one marker may be found in any of them, and
 * the ordinary values beside them must be found unchanged.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as rt from "@runtrace/core";
import { afterAll, describe, expect, it } from "vitest";
import { startViewer, toHtml, toJaegerJson, toOtlpJson } from "../../packages/viz/src/index.js";
import { receiver, tracing, useTracingTestHooks, warnings } from "../tracing/helpers.js";
import { readEvents, runCli } from "../viz/fixtures/helpers.js";
import { label, marker, PLACEMENTS } from "./placements.js";

useTracingTestHooks();

const dir = mkdtempSync(join(tmpdir(), "runtrace-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Values that look a little like secrets and are not: they must come out as they went in. */
const ORDINARY = {
  password_hint: "min 8 chars, one digit",
  docs: "https://example.com/docs/start?page=2&q=hello",
  endpoint: "http://localhost:4318/v1/traces",
  digest: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  requestId: "123e4567-e89b-12d3-a456-426614174000",
  note: "Bearer tokens are sent in the Authorization header",
  usage: "max_tokens=100 input_tokens=12 key=value",
};

/** JSON text of anything, bigints included (the received spans' times). */
const text = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v));

/** The forms a marker takes in an output: as text, and as the bytes of a Buffer or byte array preview. */
function forms(m: string): string[] {
  const out = new Set<string>();
  for (const text of [m, m.toUpperCase()]) {
    const bytes = [...Buffer.from(text)];
    out.add(text.toLowerCase());
    out.add(Buffer.from(text).toString("hex"));
    out.add(bytes.join(","));
    out.add(bytes.join(", "));
  }
  return [...out];
}

/** Every marker found in `text` (case-insensitive), with the placement it came from. */
function leaks(output: string, text: string): string[] {
  const lower = text.toLowerCase();
  const found: string[] = [];
  PLACEMENTS.forEach((placement, n) => {
    for (const form of forms(marker(n))) {
      if (lower.includes(form)) found.push(`${output}: ${placement.what} (${marker(n)} as ${form})`);
    }
  });
  return found;
}

async function getJson(base: string, path: string): Promise<string> {
  const response = await fetch(new URL(path, base));
  expect(response.status, path).toBe(200);
  return response.text();
}

describe("secrets in every placement, in every output", () => {
  it("leaks none of them, and leaves ordinary values alone", async () => {
    const jaegerLike = await receiver();
    const traced = tracing({ serviceName: "secrets", endpoint: jaegerLike.url, recordPayloads: true });
    const viewer = await startViewer({ dir, port: 0 });
    const outputs = new Map<string, string>();
    try {
      const session = new rt.Session({
        name: `${label(1)} nightly with sk-proj-aB3dE5gH7jK9mN1pQ3sT5v${marker(1)}`,
        store: rt.jsonlStore({ dir }),
      });
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const running = session.run(async () => {
        for (let n = 2; n < PLACEMENTS.length; n++) await PLACEMENTS[n]!.place(marker(n), label(n));
        await rt.call(
          rt.functionNode((v: unknown) => v, { name: "ordinary" }),
          ORDINARY,
        );
        await rt.flush();
        await released;
        return { done: true };
      });

      // The live stream, opened while the session runs: it reads the growing file.
      const file = join(dir, `${session.id}.jsonl`);
      for (let i = 0; i < 500 && !readdirSync(dir).includes(`${session.id}.jsonl`); i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const live = await fetch(new URL(`/api/sessions/${session.id}/stream`, viewer.url));
      const liveEvents = readEvents(live, (event) => event.event === "end");
      release();
      await running;
      await rt.flush();
      outputs.set("SSE, live", JSON.stringify(await liveEvents));

      const tree = await rt.readSession(file);
      expect(tree.size).toBeGreaterThan(50);
      await traced.flush();
      const spans = await jaegerLike.waitForSpans(tree.size + 1);

      outputs.set("JSONL file", readFileSync(file, "utf8"));
      outputs.set("session in memory", JSON.stringify(session.tree));
      outputs.set("live OTLP spans", text(spans));
      outputs.set("live OTLP spans as Jaeger shows them", JSON.stringify(jaegerLike.jaeger()));
      outputs.set("Jaeger export", JSON.stringify(toJaegerJson(tree)));
      outputs.set("OTLP export", JSON.stringify(toOtlpJson(tree)));
      const html = toHtml(tree);
      const data = /<script type="application\/json" id="runtrace-data">([\s\S]*?)<\/script>/.exec(html);
      expect(data).not.toBeNull();
      outputs.set("HTML export", html);
      outputs.set("HTML export's data", JSON.stringify(JSON.parse(data![1]!)));
      const api = [
        await getJson(viewer.url, "/api/sessions"),
        await getJson(viewer.url, `/api/sessions/${session.id}`),
        await getJson(viewer.url, `/api/sessions/${session.id}/calls?limit=50000`),
      ];
      outputs.set("viewer API", api.join("\n"));
      const ended = await fetch(new URL(`/api/sessions/${session.id}/stream`, viewer.url));
      outputs.set("SSE, ended", JSON.stringify(await readEvents(ended, (event) => event.event === "end")));
      const show = await runCli(["show", session.id, "--dir", dir]);
      expect(show.code).toBe(0);
      outputs.set("runtrace show", show.stdout + show.stderr);
      outputs.set("runtime warnings", warnings.join("\n"));
    } finally {
      await viewer.close();
    }

    const found = [...outputs].flatMap(([name, text]) => leaks(name, text));
    expect(found).toEqual([]);

    // Every placement was recorded: its label is in every output that carries the calls' values.
    const placed = PLACEMENTS.map((p, n) => [p, n] as const).filter(([p]) => !p.what.startsWith("("));
    expect(placed.length).toBeGreaterThanOrEqual(60);
    const summaries = ["runtime warnings", "runtrace show", "SSE, ended"];
    for (const [name, text] of outputs) {
      if (summaries.includes(name)) continue;
      const missing = placed.filter(([, n]) => !text.includes(label(n))).map(([p]) => p.what);
      expect(missing, name).toEqual([]);
    }
    // And the values that only look like secrets are all there, unchanged.
    for (const name of ["JSONL file", "HTML export's data", "viewer API", "SSE, live", "OTLP export"]) {
      const text = outputs.get(name)!;
      for (const value of Object.values(ORDINARY)) {
        expect(
          text.includes(value) || text.includes(JSON.stringify(value).slice(1, -1)),
          `${name}: ${value}`,
        ).toBe(true);
      }
    }
  }, 120_000);

  it("leaks none of them into the spans of a session traced but not recorded", async () => {
    const jaegerLike = await receiver();
    const traced = tracing({ serviceName: "secrets", endpoint: jaegerLike.url, recordPayloads: true });
    rt.configure({ record: false });
    try {
      const session = new rt.Session({
        name: `${label(1)} nightly with sk-proj-aB3dE5gH7jK9mN1pQ3sT5v${marker(1)}`,
      });
      await session.run(async () => {
        for (let n = 2; n < PLACEMENTS.length; n++) await PLACEMENTS[n]!.place(marker(n), label(n));
      });
      await traced.flush();
      const spans = await jaegerLike.waitForSpans(40);
      expect(spans.some((span) => text(span).includes(label(2)))).toBe(true);
      expect([...leaks("live OTLP spans", text(spans)), ...leaks("warnings", warnings.join("\n"))]).toEqual(
        [],
      );
    } finally {
      rt.configure({ record: true });
    }
  });
});
