/**
 * Must show 2: a session that runs for about 3 s (a child process on the built @runtrace/core)
 * appears in the open sessions list, and on its page its calls appear, run and finish without a
 * reload.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startViewer, type Viewer } from "../../../packages/viz/src/index.js";
import { artifact, launchChromium, pageProblems, ROOT, rowCount, tempDir } from "./helpers.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/live-session.mjs", import.meta.url));
/** The root, 6 stages, 2 work calls per stage and one hold. */
const ALL_ROWS = 1 + 6 + 12 + 1;

describe("viewer: live updates", () => {
  const temp = tempDir("live");
  let viewer: Viewer;
  let browser: Browser;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    viewer = await startViewer({ dir: temp.dir, port: 0 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill();
    await browser?.close();
    await viewer?.close();
    temp.remove();
  });

  test("a running session appears, grows and finishes on the open page without a reload", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const problems = pageProblems(page);
    await page.goto(viewer.url);
    await page.locator(".empty-state", { hasText: "No sessions yet" }).waitFor();
    await page.evaluate("window.__sameDocument = 1");

    const release = join(temp.dir, "release");
    child = spawn(process.execPath, [FIXTURE], {
      cwd: ROOT,
      env: { ...process.env, RUNTRACE_DIR: temp.dir, RELEASE_FILE: release },
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));

    // It appears in the list that was already open, and opens.
    const link = page.locator(".sessions-table a", { hasText: "live-run" });
    await link.waitFor({ timeout: 15_000 });
    await link.click();
    await page.locator(".session-title .live").waitFor();

    // While it runs: the held call is running, its bar grows.
    const held = page.locator(".row.st-running", { has: page.locator(".name", { hasText: /^hold$/ }) });
    await held.waitFor({ timeout: 15_000 });
    const before = (await held.locator(".bar").boundingBox())!.width;
    await page.waitForTimeout(700);
    const after = (await held.locator(".bar").boundingBox())!.width;
    expect(after).toBeGreaterThan(before);
    expect(await page.locator(".session-title .status-badge").textContent()).toBe("running");
    await page.screenshot({ path: artifact("viewer-live-running.png") });
    const rowsWhileHeld = await rowCount(page);
    expect(rowsWhileHeld).toBeLessThan(ALL_ROWS);

    // Let it run to the end: the remaining calls arrive, run and finish on this page.
    writeFileSync(release, "go");
    await expect.poll(() => rowCount(page), { timeout: 20_000 }).toBe(ALL_ROWS);
    await expect.poll(() => page.locator(".row.st-running").count(), { timeout: 20_000 }).toBe(0);
    await expect
      .poll(() => page.locator(".session-title .status-badge").textContent(), { timeout: 20_000 })
      .toBe("ok");
    await expect.poll(() => page.locator(".session-title .live").count()).toBe(0);
    expect(await page.locator(".row.st-ok").count()).toBe(ALL_ROWS);

    // Same document all along: no reload happened.
    expect(await page.evaluate("window.__sameDocument")).toBe(1);
    expect(await exited).toBe(0);
    await page.screenshot({ path: artifact("viewer-live-done.png") });
    expect(problems).toEqual([]);
    await page.close();
  });
});
