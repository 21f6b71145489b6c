/**
 * What a user sees of a session whose process died (interrupted), of many calls of one node, and
 * of the timeline's axis: the session says `interrupted` and when it was last seen (not "running"),
 * its unfinished call is an open-ended bar up to that time, each `step` row previews its
 * arguments as text, and the axis labels stay inside the axis.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startViewer, type Viewer } from "../../../packages/viz/src/index.js";
import { artifact, launchChromium, pageProblems, ROOT, tempDir, writeSession } from "./helpers.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/interrupted-session.mjs", import.meta.url));

/** Runs the fixture, which kills itself mid-session; resolves with the session id. */
async function runAndDie(dir: string): Promise<string> {
  const child = spawn(process.execPath, [FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, RUNTRACE_DIR: dir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const signal = await new Promise((resolve) => child.on("exit", (_code, sig) => resolve(sig)));
  expect(signal).toBe("SIGKILL");
  return out.trim();
}

const box = async (locator: Locator) => (await locator.boundingBox())!;
const row = (page: Page, index: number) => page.locator(".trace-canvas .row").nth(index);

describe("viewer: an interrupted session, argument previews, the axis", () => {
  const temp = tempDir("interrupted");
  let viewer: Viewer;
  let browser: Browser;
  let sessionId: string;

  beforeAll(async () => {
    sessionId = await runAndDie(temp.dir);
    viewer = await startViewer({ dir: temp.dir, port: 0 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    temp.remove();
  });

  test("says interrupted and last seen, and draws the unfinished call open-ended up to then", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 600 }, deviceScaleFactor: 1 });
    const problems = pageProblems(page);
    await page.goto(new URL(`/s/${sessionId}`, viewer.url).href);
    await page.locator(".trace-canvas .row").nth(5).waitFor();

    // The header: interrupted, at least this long, last seen at a clock time; nothing "running".
    const head = page.locator(".session-head");
    expect(await head.locator(".status-badge").textContent()).toBe("interrupted");
    expect(await head.textContent()).toMatch(/duration ≥ [\d.]+ ms/);
    expect(await head.locator(".fact-last-seen").textContent()).toMatch(/^last seen \d\d:\d\d:\d\d\.\d{3}$/);
    expect(await head.textContent()).not.toContain("running");

    // The root's details: ended "interrupted" with the last time seen, and no "still running" output.
    const details = page.locator(".details");
    await expect.poll(() => details.locator(".details-name").textContent()).toBe("batch");
    const timings = await details.locator("[data-section=timings]").textContent();
    expect(timings).toMatch(/Endedinterrupted · last seen \d\d:\d\d:\d\d\.\d{3} \+[\d.]+ ms/);
    expect(timings).toMatch(/Duration≥ [\d.]+ ms/);
    const output = await details.locator("[data-section=output]").textContent();
    expect(output).not.toContain("still running");
    expect(output).toContain("it had not ended when the recording stopped");

    // The unfinished step: tagged unfinished, its bar open-ended (a fading end, no right edge),
    // reaching the last-seen line; its label a lower bound, never "0.00 ms".
    const unfinished = row(page, 5);
    expect(await unfinished.locator(".row-status").textContent()).toBe("unfinished");
    const bar = unfinished.locator(".bar");
    expect(await bar.getAttribute("class")).toContain("open");
    const lastSeen = await box(page.locator(".gridline.last-seen"));
    const barBox = await box(bar);
    expect(Math.abs(barBox.x + barBox.width - lastSeen.x)).toBeLessThan(2);
    expect(barBox.width).toBeGreaterThan(4);
    const tail = (await page.evaluate(
      `(() => { const s = getComputedStyle(document.querySelectorAll(".trace-canvas .row")[5].querySelector(".bar"), "::after"); return [s.width, s.maskImage || s.webkitMaskImage]; })()`,
    )) as [string, string];
    expect(tail[0]).toBe("24px");
    expect(tail[1]).toContain("linear-gradient");
    expect(await unfinished.locator(".dur").textContent()).toMatch(/^≥ [\d.]+ ms$/);
    // The root is open-ended too, up to the same line.
    const rootBar = await box(row(page, 0).locator(".bar"));
    expect(Math.abs(rootBar.x + rootBar.width - lastSeen.x)).toBeLessThan(2);

    // Its details say unfinished, last seen, at least.
    await unfinished.click();
    await expect.poll(() => details.locator(".status-badge").textContent()).toBe("unfinished");
    const childTimings = await details.locator("[data-section=timings]").textContent();
    expect(childTimings).toMatch(/Endedunfinished · last seen \d\d:\d\d:\d\d\.\d{3}/);
    expect(await details.locator(".details-meta").textContent()).toMatch(/≥ [\d.]+ ms/);

    await page.screenshot({ path: artifact("viewer-interrupted.png") });
    expect(problems).toEqual([]);
    await page.close();
  });

  test("each step row previews its arguments, muted, as text", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 600 } });
    await page.goto(new URL(`/s/${sessionId}`, viewer.url).href);
    await page.locator(".trace-canvas .row").nth(5).waitFor();
    const previews = await page.locator(".trace-canvas .row .args").allTextContents();
    expect(previews).toEqual([
      '{city: "Oslo", day: 1}, "metric"',
      '{city: "Rome", day: 2}, "metric"',
      '{city: "Lima", day: 3}, "metric"',
      '{city: "Kyiv", day: 4}, "metric"',
      '{city: "Accra <b>x</b>", day: 5}, "metric"',
    ]);
    const hostile = row(page, 5).locator(".args");
    expect(await hostile.locator("b").count()).toBe(0);
    expect(await hostile.innerHTML()).toContain("&lt;b&gt;x&lt;/b&gt;");
    // Muted next to the name, on the name's line.
    const color = await page.evaluate(
      `[".name", ".args"].map((s) => getComputedStyle(document.querySelectorAll(".trace-canvas .row")[1].querySelector(s)).color)`,
    );
    expect((color as string[])[0]).not.toBe((color as string[])[1]);
    const [name, args] = [await box(row(page, 1).locator(".name")), await box(row(page, 1).locator(".args"))];
    expect(args.x).toBeGreaterThan(name.x + name.width - 1);
    expect(Math.abs(args.y + args.height / 2 - (name.y + name.height / 2))).toBeLessThan(3);
    await page.close();
  });

  test("the last axis label stays inside the axis", async () => {
    // A session of exactly 1000 ms: a tick falls on its right edge.
    const t0 = Date.now() - 60_000;
    const id = "20261122-120000-axis000001";
    writeSession(temp.dir, id, [
      { type: "session", v: 1, id, name: "axis", start: t0, pid: 1, host: "elsewhere" },
      { type: "start", id: "1", parent: "0", node: "work", kind: "function", start: t0 + 100 },
      { type: "end", id: "1", status: "ok", end: t0 + 900 },
      { type: "session-end", status: "ok", end: t0 + 1000 },
    ]);
    for (const width of [1400, 1180, 1000]) {
      const page = await browser.newPage({ viewport: { width, height: 500 } });
      await page.goto(new URL(`/s/${id}`, viewer.url).href);
      await page.locator(".trace-canvas .row").nth(1).waitFor();
      const axis = await box(page.locator(".trace-head-time"));
      const labels = page.locator(".tick-label");
      const texts = await labels.allTextContents();
      expect(texts.at(-1), `at ${width} px`).toMatch(/^(1000 ms|1 s)$/);
      for (let i = 0; i < texts.length; i++) {
        const label = await box(labels.nth(i));
        expect(label.x, `${texts[i]} at ${width} px`).toBeGreaterThanOrEqual(axis.x - 0.5);
        expect(label.x + label.width, `${texts[i]} at ${width} px`).toBeLessThanOrEqual(
          axis.x + axis.width + 0.5,
        );
      }
      if (width === 1400) await page.locator(".trace").screenshot({ path: artifact("viewer-axis.png") });
      await page.close();
    }
  });
});
