/**
 * The viewer's memory with many live-stream clients: a writer process records a session of 100,000
 * calls and keeps it running (one more call every 100 ms), the viewer runs in another process, and
 * 200 clients open `GET /api/sessions/:id/stream` over real HTTP. Each client reads until it has
 * seen a call the writer makes once every client is connected (so it has the whole snapshot and a
 * live update). Reports the viewer's peak RSS while it serves them (target under 400 MB) and its RSS
 * once they have all gone (target: back near where it was before they came).
 *
 * `BENCH_SSE_CLIENTS` and `BENCH_SSE_CALLS` change the numbers (for a quick look).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { type ClientRequest, get, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { BenchResult, Row } from "./lib.js";
import { ROOT, startViewerProcess } from "./viewer-process.js";

const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 200);
const CALLS = Number(process.env.BENCH_SSE_CALLS ?? 100_000);
const PEAK_TARGET_MB = 400;
const MB = 1024 * 1024;

/**
 * The writer: `CALLS` calls (tasks of 100: the task and its 99 steps, 100 tasks at a time), then a
 * call every 100 ms until stdin says `stop`; `mark` records a call whose output is `bench-mark`.
 */
const WRITER = `
import * as rt from "@runtrace/core";
const total = Number(process.env.BENCH_CALLS);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const step = rt.functionNode(async function step(i) { return { item: i, note: "step " + i + " done" }; }, { kind: "tool" });
const task = rt.functionNode(async function task(t) {
  const out = [];
  for (let j = 0; j < 99; j += 33) out.push(...(await Promise.all(Array.from({ length: 33 }, (_, k) => rt.call(step, t * 100 + j + k)))));
  return out.length;
}, { kind: "agent" });
const tick = rt.functionNode(async function tick(i) { return i; });
const mark = rt.functionNode(async function mark() { return "bench-mark"; });
let stopped = false;
let marks = 0;
process.stdin.setEncoding("utf8").on("data", (text) => {
  if (text.includes("mark")) marks++;
  if (text.includes("stop")) stopped = true;
});
await rt.session("bench-live", async () => {
  const tasks = total / 100;
  for (let b = 0; b < tasks; b += 100) await Promise.all(Array.from({ length: Math.min(100, tasks - b) }, (_, i) => rt.call(task, b + i)));
  await rt.flush();
  console.log("ready");
  for (let i = 0; !stopped; i++) {
    while (marks > 0) { marks--; await rt.call(mark); }
    await rt.call(tick, i);
    await sleep(100);
  }
});
await rt.flush();
process.exit(0);
`;

interface Writer {
  child: ChildProcess;
  mark(): void;
  stop(): Promise<void>;
}

async function startWriter(dir: string): Promise<Writer> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", WRITER], {
    cwd: ROOT,
    env: { ...process.env, RUNTRACE_DIR: dir, BENCH_CALLS: String(CALLS) },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line === "ready") resolve();
    });
    void exited.then(() => reject(new Error("the writer process exited before its session was written")));
  });
  return {
    child,
    mark: () => child.stdin!.write("mark\n"),
    async stop() {
      child.stdin!.write("stop\n");
      await exited;
    },
  };
}

const MARK = Buffer.from('"output":"bench-mark"');
const CALL_EVENT = Buffer.from("event: call\n");

/** Counts a pattern's occurrences in a byte stream, chunk by chunk, without copying the chunks. */
class Counter {
  readonly #pattern: Buffer;
  #carry = Buffer.alloc(0);

  constructor(pattern: Buffer) {
    this.#pattern = pattern;
  }

  count(chunk: Buffer): number {
    const pattern = this.#pattern;
    let found = 0;
    // Across the boundary: an occurrence there starts in the previous chunk's last bytes.
    if (this.#carry.length > 0) {
      const edge = Buffer.concat([this.#carry, chunk.subarray(0, pattern.length - 1)]);
      if (edge.indexOf(pattern) !== -1) found++;
    }
    for (let at = chunk.indexOf(pattern); at !== -1; at = chunk.indexOf(pattern, at + pattern.length))
      found++;
    this.#carry = Buffer.from(chunk.subarray(Math.max(0, chunk.length - pattern.length + 1)));
    return found;
  }
}

/** One SSE client: counts `call` events, resolves `done` once it has seen the mark call finished. */
interface Client {
  request: ClientRequest;
  calls: number;
  bytes: number;
  done: Promise<void>;
  closed: boolean;
}

function openClient(url: string): Client {
  let resolveDone!: () => void;
  let rejectDone!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => {});
  const calls = new Counter(CALL_EVENT);
  const marks = new Counter(MARK);
  const client: Client = {
    calls: 0,
    bytes: 0,
    done,
    closed: false,
    request: get(url, { agent: false }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        rejectDone(new Error(`status ${res.statusCode}`));
        res.resume();
        return;
      }
      let seen = false;
      res.on("data", (chunk: Buffer) => {
        client.bytes += chunk.length;
        client.calls += calls.count(chunk);
        if (!seen && marks.count(chunk) > 0) {
          seen = true;
          resolveDone();
        }
      });
      res.on("close", () => {
        client.closed = true;
        if (!seen) rejectDone(new Error("the stream closed before the mark call arrived"));
      });
    }),
  };
  client.request.on("error", (error) => rejectDone(error));
  return client;
}

export default async function sseBench(): Promise<BenchResult> {
  const title = `viewer: ${CLIENTS} live-stream clients on a running ${CALLS.toLocaleString("en-US")}-call session`;
  const dir = mkdtempSync(join(tmpdir(), "runtrace-bench-sse-"));
  const writer = await startWriter(dir);
  const viewer = await startViewerProcess(
    dir,
    process.env.PROF ? ["--cpu-prof", "--cpu-prof-dir=/tmp/f/prof"] : [],
  );
  const clients: Client[] = [];
  let peakSeen = 0;
  const sampler = setInterval(() => {
    peakSeen = Math.max(peakSeen, viewer.rssNow() ?? 0);
  }, 100);
  try {
    const id = readdirSync(dir)
      .find((name) => name.endsWith(".jsonl"))!
      .slice(0, -".jsonl".length);
    const idle = await viewer.rss();
    const started = performance.now();
    const url = `${viewer.url}api/sessions/${id}/stream`;
    for (let i = 0; i < CLIENTS; i++) clients.push(openClient(url));
    writer.mark();
    // Progress on stderr: this takes a while, and a viewer that runs out of memory takes longer.
    let served = 0;
    for (const client of clients)
      void client.done.then(
        () => served++,
        () => {},
      );
    const progress = setInterval(() => {
      const mb = Math.round((viewer.rssNow() ?? 0) / MB);
      process.stderr.write(`  sse: ${served}/${CLIENTS} clients served, viewer RSS ${mb} MB\n`);
    }, 5000);
    const outcome = await Promise.race([
      Promise.allSettled(clients.map((client) => client.done)).then(() => "served" as const),
      viewer.exited.then((code) => `the viewer process died (exit code ${code})` as const),
    ]);
    clearInterval(progress);
    const servedMs = performance.now() - started;
    const during = outcome === "served" ? await viewer.rss().catch(() => undefined) : undefined;
    const failed = (await Promise.allSettled(clients.map((client) => client.done))).filter(
      (result) => result.status === "rejected",
    ).length;
    for (const client of clients) client.request.destroy();
    const rows: Row[] = [
      { name: "viewer RSS before the clients (after a GC)", value: idle.rss / MB, unit: "MB" },
      { name: "viewer JS heap before the clients", value: idle.heap / MB, unit: "MB" },
    ];
    const notes = [
      `${CLIENTS} clients over HTTP, each reading until it has the whole session and one live update`,
      "peak: the highest RSS sampled from /proc every 100 ms while they were served (and the process's maxRSS)",
    ];
    if (outcome !== "served" || during === undefined) {
      rows.push({
        name: "viewer peak RSS while serving",
        value: peakSeen / MB,
        unit: "MB",
        target: `< ${PEAK_TARGET_MB} MB`,
        ok: false,
      });
      notes.push(
        `${outcome === "served" ? "the viewer process died" : outcome} before every client was served: ${viewer.lastError()}`,
      );
      return { title, rows, notes };
    }
    const peak = Math.max(peakSeen, during.peak);
    const calls = clients.map((client) => client.calls).sort((a, b) => a - b);
    const bytes = clients.reduce((sum, client) => sum + client.bytes, 0);
    rows.push(
      {
        name: "viewer peak RSS while serving them",
        value: peak / MB,
        unit: "MB",
        target: `< ${PEAK_TARGET_MB} MB`,
        ok: peak < PEAK_TARGET_MB * MB,
      },
      { name: "time until every client had everything", value: servedMs / 1000, unit: "s" },
      { name: "call events per client (fewest)", value: calls[0]!, unit: "events" },
      { name: "bytes sent to all clients", value: bytes / MB, unit: "MB" },
      { name: "clients that failed (closed, an error)", value: failed, unit: "" },
    );
    // Let the server see every connection close, then measure after a GC.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await viewer.rss();
    rows.push(
      { name: "viewer RSS once they left (after a GC)", value: after.rss / MB, unit: "MB" },
      {
        name: "viewer JS heap once they left",
        value: after.heap / MB,
        unit: "MB",
        target: "near the heap before",
        ok: after.heap < idle.heap + 10 * MB,
      },
    );
    // V8 and the allocator give pages back to the system lazily, once the process is idle a while.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const later = await viewer.rss();
    rows.push({ name: "viewer RSS 10 s later", value: later.rss / MB, unit: "MB" });
    return { title, rows, notes };
  } finally {
    clearInterval(sampler);
    for (const client of clients) client.request.destroy();
    await viewer.close().catch(() => {});
    await writer.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
