/**
 * Must show 1: the demo's session opens in the viewer with its tree rows and timeline bars, and
 * clicking a call shows its input and output. Saves a screenshot to test/.artifacts/ (and to
 * docs/viewer.png with RUNTRACE_DOCS_SCREENSHOT=1).
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startViewer, type Viewer } from "../../../packages/viz/src/index.js";
import { artifact, launchChromium, pageProblems, ROOT, rowCount, tempDir } from "./helpers.js";

/** Runs the built demo into `dir`; resolves with the session id once its file has ended. */
async function runDemo(dir: string): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, "examples/dist/demo.js"), "--no-serve"], {
    cwd: ROOT,
    env: { ...process.env, RUNTRACE_DIR: dir, NO_COLOR: "1" },
    stdio: "ignore",
  });
  const ended = () =>
    readdirSync(dir).find(
      (name) => name.endsWith(".jsonl") && readFileSync(join(dir, name), "utf8").includes('"session-end"'),
    );
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const file = existsSync(dir) ? ended() : undefined;
      if (file) return file.slice(0, -".jsonl".length);
      if (child.exitCode !== null && !ended())
        throw new Error(`the demo exited with ${child.exitCode} and no session`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("the demo did not record a session within 60 s");
  } finally {
    // The demo may go on to serve its own viewer: this test only needs the file.
    if (child.exitCode === null) child.kill();
  }
}

describe("viewer: the demo session", () => {
  const temp = tempDir("demo");
  let viewer: Viewer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let sessionId: string;

  beforeAll(async () => {
    sessionId = await runDemo(temp.dir);
    viewer = await startViewer({ dir: temp.dir, port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 860 }, deviceScaleFactor: 1 });
    problems = pageProblems(page);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    temp.remove();
  });

  test("the sessions list shows the demo and opens it: tree rows, timeline bars, input and output", async () => {
    await page.goto(viewer.url);
    const link = page.locator(".sessions-table a", { hasText: "trip-planner" });
    await link.waitFor();
    await link.click();
    await page.waitForURL((url) => url.pathname === `/s/${sessionId}`);

    // The session, the flow, its four steps, the agent's two model turns and three tools, and the
    // itinerary writer: rows in the tree, bars in the timeline.
    await page.locator(".row", { hasText: "itineraryWriter" }).waitFor();
    expect(await rowCount(page)).toBe(12);
    expect(await page.locator(".trace-canvas .row .cell-time .bar").count()).toBe(12);
    for (const name of [
      "trip-planner",
      "planTrip",
      "request",
      "research",
      "weather",
      "events",
      "hotels",
      "budget",
      "itinerary",
      "itineraryWriter",
    ]) {
      await expect.poll(() => page.locator(".row .name", { hasText: name }).count()).toBeGreaterThan(0);
    }
    // Bars are laid out to scale: the streamed itinerary (about 1.2 s) is far longer than the weather tool (about 70 ms).
    const width = async (name: string) =>
      (await page
        .locator(".row", { has: page.locator(".name", { hasText: new RegExp(`^${name}$`) }) })
        .locator(".bar")
        .boundingBox())!.width;
    expect(await width("itineraryWriter")).toBeGreaterThan(await width("weather"));

    await page.locator(".row .name", { hasText: /^weather$/ }).click();
    await page.waitForURL(/\/s\/[^/]+\/c\/[^/]+$/);
    const details = page.locator(".details");
    await expect.poll(() => details.locator(".details-name").textContent()).toBe("weather");
    const input = details.locator("[data-section=input]");
    const output = details.locator("[data-section=output]");
    await expect.poll(() => input.textContent()).toContain("Lisbon");
    await expect.poll(() => output.textContent()).toContain("sunny, 24°C, light wind");

    await page.screenshot({ path: artifact("viewer-demo.png") });
    if (process.env.RUNTRACE_DOCS_SCREENSHOT === "1")
      await page.screenshot({ path: join(ROOT, "docs/viewer.png") });
    expect(problems).toEqual([]);
  });

  test("every call has a URL: opening it selects the call; keyboard and caret work", async () => {
    await page.goto(viewer.url);
    await page.locator(".sessions-table a", { hasText: "trip-planner" }).click();
    await page.locator(".row .name", { hasText: /^hotels$/ }).click();
    await page.waitForURL(/\/c\/[^/]+$/);
    const callUrl = page.url();

    const fresh = await browser.newPage();
    await fresh.goto(callUrl);
    await expect.poll(() => fresh.locator(".details .details-name").textContent()).toBe("hotels");
    expect(await fresh.locator(".row.selected .name").textContent()).toBe("hotels");

    // Keyboard: the tree has focus; ↑ moves the cursor, Enter selects.
    await fresh.locator(".trace-scroll").focus();
    await fresh.keyboard.press("ArrowUp");
    await fresh.keyboard.press("Enter");
    await expect.poll(() => fresh.locator(".details .details-name").textContent()).not.toBe("hotels");
    // ← on the agent (research) collapses its five calls, → expands them again.
    await fresh.locator(".row .name", { hasText: /^research$/ }).click();
    await fresh.locator(".trace-scroll").focus();
    await fresh.keyboard.press("ArrowLeft");
    await expect.poll(() => rowCount(fresh)).toBe(7);
    await fresh.keyboard.press("ArrowRight");
    await expect.poll(() => rowCount(fresh)).toBe(12);
    // The caret collapses too: the flow folds everything but the session.
    await fresh
      .locator(".row", { has: fresh.locator(".name", { hasText: /^planTrip$/ }) })
      .locator(".caret")
      .click();
    await expect.poll(() => rowCount(fresh)).toBe(2);
    await fresh.close();

    // Back goes to the sessions list (client-side).
    await page.goBack();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/");
    await page.locator(".sessions-table").waitFor();
  });
});
