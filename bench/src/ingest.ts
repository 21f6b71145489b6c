/**
 * The viewer as an OTLP trace backend: how fast it stores a 100,000-span trace sent over OTLP/HTTP,
 * and how soon the viewer shows that trace's first rows (target: under 1 s).
 *
 * The viewer (`startViewer` of the built `@runtrace/viz`, with `otlp`) runs in a child process. The
 * trace is encoded beforehand, as an SDK's batch span processor sends it: 512 spans a request, in the
 * order the spans ended (children first, the root span in the last request). Requests go one after
 * another over one keep-alive connection. A sample is: a fresh directory and viewer, every request
 * answered (the lines are on disk by then), then the viewer's first page of that trace as the
 * browser app asks for it (`GET /api/sessions/:id` and `GET .../calls?offset=0&limit=500`, at once).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import protobuf from "protobufjs";
import { type BenchResult, median, type Row } from "./lib.js";
import { ROOT } from "./viewer-process.js";

/** The OTLP messages the viewer's receiver reads, to write the requests an SDK would send. */
const ExportTraceServiceRequest = protobuf
  .parse(readFileSync(join(ROOT, "packages/viz/src/ingest/otlp.proto"), "utf8"))
  .root.lookupType("otlp.v1.ExportTraceServiceRequest");

const SPANS = Number(process.env.BENCH_INGEST_SPANS ?? 100_000);
const BATCH = 512;
/** Children per parent: a root, then groups of a parent and its leaves. */
const GROUP = 369;
const SAMPLES = Number(process.env.BENCH_INGEST_SAMPLES ?? 5);
const FIRST_ROWS_TARGET_MS = 1000;

const SERVER = `
import { startViewer } from "@runtrace/viz";
const viewer = await startViewer({ dir: process.env.BENCH_DIR, port: 0, otlp: { port: 0 } });
console.log("url " + viewer.url + " " + viewer.otlpUrl);
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  for (const line of chunk.split("\\n")) {
    if (line === "cpu") { const c = process.cpuUsage(); console.log("cpu " + (c.user + c.system)); }
    if (line === "exit") viewer.close().then(() => process.exit(0));
  }
});
`;

interface ViewerChild {
  url: string;
  otlpUrl: string;
  /** CPU microseconds the viewer process used so far. */
  cpu(): Promise<number>;
  close(): Promise<void>;
}

async function startChild(dir: string): Promise<ViewerChild> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", SERVER], {
    cwd: ROOT,
    env: { ...process.env, BENCH_DIR: dir },
    stdio: ["pipe", "pipe", "inherit"],
  });
  child.stdin!.on("error", () => {});
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on("line", (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const [, url, otlpUrl] = (await next()).split(" ");
  return {
    url: url!,
    otlpUrl: otlpUrl!,
    async cpu() {
      const answer = next();
      child.stdin!.write("cpu\n");
      return Number((await answer).split(" ")[1]);
    },
    async close() {
      child.stdin!.write("exit\n");
      await exited;
    },
  };
}

const TRACE = Buffer.from("5b8efff798038103d269b633813fc60c", "hex");
const T0 = BigInt(Date.now() - 60_000) * 1_000_000n;

function spanId(n: number): Buffer {
  const id = Buffer.alloc(8);
  id.writeUInt32BE(n + 1, 4);
  return id;
}

/** The trace's spans in the order they end (leaves, then their parent; the root last). */
function trace(): object[] {
  const spans: object[] = [];
  const span = (n: number, parent: number | undefined, name: string, startUs: number, endUs: number) => ({
    traceId: TRACE,
    spanId: spanId(n),
    ...(parent === undefined ? {} : { parentSpanId: spanId(parent) }),
    name,
    kind: 1,
    startTimeUnixNano: String(T0 + BigInt(startUs) * 1000n),
    endTimeUnixNano: String(T0 + BigInt(endUs) * 1000n),
    attributes: [
      { key: "step", value: { intValue: String(n) } },
      { key: "http.route", value: { stringValue: "/orders/:id" } },
    ],
  });
  let n = 1;
  while (n < SPANS) {
    const parent = n++;
    const first = n;
    for (let i = 1; i < GROUP && n < SPANS; i++, n++) spans.push(span(n, parent, "leaf", n * 10, n * 10 + 5));
    spans.push(span(parent, 0, "group", first * 10 - 1, n * 10));
  }
  spans.push(span(0, undefined, "GET /orders", 0, n * 10 + 1));
  return spans;
}

function requests(spans: object[]): Buffer[] {
  const bodies: Buffer[] = [];
  for (let i = 0; i < spans.length; i += BATCH) {
    const message = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "bench" } }] },
          scopeSpans: [{ scope: { name: "bench" }, spans: spans.slice(i, i + BATCH) }],
        },
      ],
    };
    bodies.push(Buffer.from(ExportTraceServiceRequest.encode(message).finish()));
  }
  return bodies;
}

interface Sample {
  ingestMs: number;
  /** From the first request sent to a first page with rows, asked once that request was answered. */
  liveRowsMs: number;
  cpuMs: number;
  firstRowsMs: number;
  rows: number;
  stored: number;
}

async function sample(bodies: Buffer[]): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), "runtrace-bench-ingest-"));
  const viewer = await startChild(dir);
  try {
    const traces = `${viewer.otlpUrl}/v1/traces`;
    const cpuBefore = await viewer.cpu();
    const began = performance.now();
    let liveRowsMs = Number.NaN;
    for (const body of bodies) {
      const res = await fetch(traces, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body: new Uint8Array(body),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`the viewer answered ${res.status}`);
      if (Number.isNaN(liveRowsMs)) {
        // What a user who opens the trace now sees: its first rows, long before the root span.
        const { calls } = await firstPage(viewer.url, await sessionId(viewer.url));
        if (calls.length > 0) liveRowsMs = performance.now() - began;
      }
    }
    const ingestMs = performance.now() - began;
    const cpuMs = ((await viewer.cpu()) - cpuBefore) / 1000;
    const id = await sessionId(viewer.url);
    const asked = performance.now();
    const page = await firstPage(viewer.url, id);
    const firstRowsMs = performance.now() - asked;
    return { ingestMs, liveRowsMs, cpuMs, firstRowsMs, rows: page.calls.length, stored: page.total };
  } finally {
    await viewer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The trace's session, as the viewer lists it. */
async function sessionId(url: string): Promise<string> {
  const list = (await (await fetch(new URL("/api/sessions", url))).json()) as {
    sessions: Array<{ id: string }>;
  };
  return list.sessions[0]!.id;
}

/** The trace's first page as the browser app asks for it: its session and first 500 calls, at once. */
async function firstPage(url: string, id: string): Promise<{ total: number; calls: unknown[] }> {
  const [, page] = await Promise.all([
    fetch(new URL(`/api/sessions/${id}`, url)).then((res) => res.json()),
    fetch(new URL(`/api/sessions/${id}/calls?offset=0&limit=500`, url)).then(
      (res) => res.json() as Promise<{ total: number; calls: unknown[] }>,
    ),
  ]);
  return page;
}

export default async function ingest(): Promise<BenchResult> {
  const bodies = requests(trace());
  const samples: Sample[] = [];
  await sample(bodies); // warm-up: file cache, JIT of the sender
  for (let i = 0; i < SAMPLES; i++) samples.push(await sample(bodies));
  const of = (pick: (s: Sample) => number) => median(samples.map(pick));
  const ingestMs = of((s) => s.ingestMs);
  const firstRows = of((s) => s.firstRowsMs);
  const lost = Math.max(...samples.map((s) => SPANS - s.stored));
  const rows: Row[] = [
    {
      name: `spans/s stored, ${SPANS.toLocaleString("en-US")}-span trace (wall)`,
      value: (SPANS / ingestMs) * 1000,
      unit: "spans/s",
    },
    {
      name: "spans per CPU second of the viewer",
      value: (SPANS / of((s) => s.cpuMs)) * 1000,
      unit: "spans/s",
    },
    { name: "time to store the whole trace", value: ingestMs, unit: "ms" },
    {
      name: "first rows of that trace (GET session + first page)",
      value: firstRows,
      unit: "ms",
      target: `< ${FIRST_ROWS_TARGET_MS} ms`,
      ok: firstRows < FIRST_ROWS_TARGET_MS,
    },
    {
      name: "first rows while it comes (since the first request)",
      value: of((s) => s.liveRowsMs),
      unit: "ms",
      target: `< ${FIRST_ROWS_TARGET_MS} ms`,
      ok: of((s) => s.liveRowsMs) < FIRST_ROWS_TARGET_MS,
    },
    { name: "spans lost (most in a sample)", value: lost, unit: "spans", target: "0", ok: lost === 0 },
  ];
  return {
    title: "ingest: OTLP/HTTP into the viewer",
    rows,
    notes: [
      `${bodies.length} protobuf requests of ${BATCH} spans, children first and the root span last (as an SDK's batch processor sends them), one after another; ${SAMPLES} samples, medians.`,
      "A span whose parent has not come is shown under the root at once and moved under its parent when it comes, so the trace shows rows after its first request, long before its root span.",
    ],
  };
}
