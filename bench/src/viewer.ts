/**
 * The viewer: time from navigation to the first rendered rows of a session of 1,000, 10,000 and
 * 100,000 calls in headless chromium (target: under 2 s at 100,000), the time until every call is
 * loaded, and the server's memory (RSS) while it serves the 100,000-call session.
 *
 * The server (`startViewer` of the built `@runtrace/viz`) runs in a child process so its memory is
 * its own. Each sample opens the session in a fresh browser context (no cache); the first open of
 * the 100,000-call session (the server reads and parses the file) is reported on its own, the rest
 * are medians of warm opens. Needs `/usr/bin/chromium` (Debian's chromium); without it the table
 * says so and has no rows.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { type BenchResult, medianOf, type Row, withRatio } from "./lib.js";
import { ROOT, startViewerProcess } from "./viewer-process.js";

const CHROMIUM = "/usr/bin/chromium";
const VIZ = join(ROOT, "packages/viz");
const SIZES = [1_000, 10_000, 100_000];
const SAMPLES = 5;
const TARGET_MS = 2000;

/** Writes a session of `total` calls in the stored format: fan-outs of 50 with leaves under them. */
function writeSession(dir: string, id: string, total: number): void {
  const t0 = Date.now() - 3_600_000;
  const lines = [
    JSON.stringify({ type: "session", v: 1, id, name: `bench-${total}`, start: t0, pid: 1, host: "bench" }),
  ];
  let next = 1;
  const add = (parent: string, node: string, kind: string, start: number, end: number, input: unknown) => {
    const callId = String(next++);
    lines.push(
      JSON.stringify({
        type: "call",
        id: callId,
        parent,
        node,
        kind,
        start,
        input,
        attempts: 1,
        status: "ok",
        end,
        output: `ok ${callId}`,
      }),
    );
    return callId;
  };
  let group = 0;
  while (next <= total) {
    const start = t0 + group * 5;
    const parent = add("0", `agent-${group}`, "agent", start, start + 200, { group });
    for (let i = 0; i < 49 && next <= total; i++) {
      add(parent, i % 2 ? "tool-call" : "llm-call", i % 2 ? "tool" : "llm", start + i, start + i + 3, [
        `item ${group}.${i}`,
      ]);
    }
    group++;
  }
  lines.push(JSON.stringify({ type: "session-end", status: "ok", end: t0 + group * 5 + 200 }));
  writeFileSync(join(dir, `${id}.jsonl`), `${lines.join("\n")}\n`);
}

function newest(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds the browser app when it is missing or older than its sources (as the browser tests do). */
function buildClient(): void {
  const index = join(VIZ, "dist/client/index.html");
  const sources = Math.max(newest(join(VIZ, "client")), newest(join(VIZ, "vite.config.ts")));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--config", join(VIZ, "vite.config.ts")],
    {
      cwd: ROOT,
      stdio: "pipe",
    },
  );
}

/** Opens the session in a fresh context: ms from navigation start to the first row, and to every call loaded. */
async function open(browser: Browser, url: string): Promise<{ firstRows: number; allLoaded: number }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    // Functions, not strings: the viewer's Content-Security-Policy forbids eval.
    const first = await page.waitForFunction(
      () => (globalThis as any).document.querySelector(".trace-canvas .row") && performance.now(),
      undefined,
      { polling: "raf", timeout: 120_000 },
    );
    const firstRows = (await first.jsonValue()) as number;
    const all = await page.waitForFunction(
      () => {
        const doc = (globalThis as any).document;
        return (
          doc.querySelector(".trace-canvas .row") && !doc.querySelector(".loading-calls") && performance.now()
        );
      },
      undefined,
      { polling: 50, timeout: 120_000 },
    );
    return { firstRows, allLoaded: (await all.jsonValue()) as number };
  } finally {
    await context.close();
  }
}

const MB = 1024 * 1024;

export default async function viewerBench(): Promise<BenchResult> {
  const title = "viewer: navigation to first rendered rows in headless chromium, server memory";
  if (!existsSync(CHROMIUM)) {
    return {
      title,
      rows: [],
      notes: [`skipped: no ${CHROMIUM} (install Debian's chromium: apt-get install chromium)`],
    };
  }
  buildClient();
  const dir = mkdtempSync(join(tmpdir(), "runtrace-bench-viewer-"));
  const ids = SIZES.map((size) => `20261122-000000-bench${String(size).padStart(6, "0")}`);
  SIZES.forEach((size, i) => {
    writeSession(dir, ids[i]!, size);
  });
  const server = await startViewerProcess(dir);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const idle = await server.rss();
    const rows: Row[] = [];
    let baseline = 0;
    let coldFirst = 0;
    let allLoaded = 0;
    for (const [i, size] of SIZES.entries()) {
      const url = `${server.url}s/${ids[i]}`;
      if (size === 100_000) coldFirst = (await open(browser, url)).firstRows;
      const loaded: number[] = [];
      const first = await medianOf(SAMPLES, async () => {
        const sample = await open(browser, url);
        loaded.push(sample.allLoaded);
        return sample.firstRows;
      });
      const name = `first rows, ${size.toLocaleString("en-US")} calls`;
      if (i === 0) {
        baseline = first;
        rows.push({ name, value: first, unit: "ms" });
      } else rows.push(withRatio({ name, value: first, unit: "ms" }, baseline));
      if (size === 100_000) {
        const last = rows[rows.length - 1]!;
        last.target = `< ${TARGET_MS} ms`;
        last.ok = first < TARGET_MS;
        loaded.sort((a, b) => a - b);
        allLoaded = loaded[loaded.length >> 1]!;
      }
    }
    const serving = await server.rss();
    rows.push({
      name: "first rows, 100,000 calls, first open (server reads the file)",
      value: coldFirst,
      unit: "ms",
    });
    rows.push({ name: "every call loaded, 100,000 calls", value: allLoaded, unit: "ms" });
    rows.push({ name: "server RSS, idle", value: idle.rss / MB, unit: "MB" });
    rows.push({
      name: "server RSS delta, serving the 100,000-call session",
      value: (serving.rss - idle.rss) / MB,
      unit: "MB",
    });
    rows.push({
      name: "server peak RSS delta (while reading it)",
      value: (serving.peak - idle.rss) / MB,
      unit: "MB",
    });
    return {
      title,
      rows,
      notes: [
        `medians of ${SAMPLES} opens (after one warm-up), each in a fresh browser context; times are the page's performance.now() at the first frame with rows`,
        "ratios: against the 1,000-call session in this same run",
        "server memory: the viewer's own process (a child), RSS after a GC; the session stays cached while it is served",
      ],
    };
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
