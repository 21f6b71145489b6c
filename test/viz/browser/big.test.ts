/**
 * Must show 4: a 100,000-call session. The DOM holds a bounded number of rows at any scroll
 * position, and search finds a call 62 levels deep, expands its ancestors and scrolls it into view.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startViewer, type Viewer } from "../../../packages/viz/src/index.js";
import { type BigSession, writeBigSession } from "./big-session.js";
import { artifact, launchChromium, pageProblems, rowCount, tempDir } from "./helpers.js";

const MAX_ROWS_IN_DOM = 500;
const ROW_HEIGHT = 24;

describe("viewer: a 100,000-call session", () => {
  const temp = tempDir("big");
  let viewer: Viewer;
  let browser: Browser;
  let big: BigSession;

  beforeAll(async () => {
    big = writeBigSession(temp.dir, "20261122-120000-big0000001", 100_000);
    viewer = await startViewer({ dir: temp.dir, port: 0 });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    temp.remove();
  });

  /** Scrolls the tree to `fraction` of its height; resolves once the row at that position is drawn. */
  async function scrollTo(page: Page, fraction: number): Promise<number> {
    const top = (await page.evaluate(
      `(() => { const s = document.querySelector('.trace-scroll'); s.scrollTop = ${fraction} * (s.scrollHeight - s.clientHeight); return s.scrollTop; })()`,
    )) as number;
    const index = Math.floor(top / ROW_HEIGHT);
    await page.locator(`#row-${index}`).waitFor({ state: "attached" });
    return index;
  }

  test("rows stay bounded in the DOM while scrolling; search finds a deep call and scrolls to it", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = pageProblems(page);
    expect(big.total).toBe(100_000);
    await page.goto(`${viewer.url}s/${big.id}`);
    await page.locator(".trace-canvas .row").first().waitFor({ timeout: 30_000 });
    // Every page loaded: the header counts every call.
    await expect.poll(() => page.locator(".loading-calls").count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => page.locator(".session-facts").textContent()).toContain("calls 100,000");
    // Fully expanded: one row per call plus the session's.
    await expect.poll(() => page.locator(".trace-head-tree .muted").textContent()).toBe("100,001 rows");

    for (const fraction of [0, 0.1, 0.37, 0.5, 0.66, 0.9, 1, 0.2]) {
      const index = await scrollTo(page, fraction);
      const rows = await rowCount(page);
      expect(rows, `rows in the DOM at ${fraction} (row ${index})`).toBeLessThan(MAX_ROWS_IN_DOM);
      expect(rows).toBeGreaterThan(10);
    }
    // And the page as a whole stays small.
    expect((await page.evaluate("document.getElementsByTagName('*').length")) as number).toBeLessThan(10_000);

    // Collapse everything, then search: the match 62 levels down is expanded to and scrolled into view.
    await page.locator("button", { hasText: "Collapse all" }).click();
    await expect.poll(() => rowCount(page)).toBe(21);
    await page.locator('input[aria-label="Search calls"]').fill(big.needle);
    const match = page.locator(`.row.current-match[data-call-id="${big.deepId}"]`);
    await match.waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator(".match-count").textContent()).toBe("1 / 1");
    expect(await match.locator(".name").textContent()).toBe(big.deepName);
    expect(await match.getAttribute("aria-level")).toBe(String(big.deepDepth + 1));
    const box = (await match.boundingBox())!;
    const view = (await page.locator(".trace-scroll").boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(view.y);
    expect(box.y + box.height).toBeLessThanOrEqual(view.y + view.height);
    expect(await page.locator(".details .details-name").textContent()).toBe(big.deepName);
    expect(new URL(page.url()).pathname).toBe(`/s/${big.id}/c/${big.deepId}`);
    expect(await rowCount(page)).toBeLessThan(MAX_ROWS_IN_DOM);

    // A search over input text of every call: "item 7.3.1" is one leaf among 100,000.
    await page.locator('input[aria-label="Search calls"]').fill("item 7.3.12");
    await expect
      .poll(() => page.locator(".match-count").textContent(), { timeout: 15_000 })
      .toMatch(/^1 \/ \d+$/);
    await expect
      .poll(() => page.locator(".details [data-section=input]").textContent())
      .toContain("item 7.3.12");

    await page.screenshot({ path: artifact("viewer-100k.png") });
    expect(problems).toEqual([]);
    await page.close();

    // The deep call's URL, opened cold: it is on a later page, and is revealed once it has loaded.
    const direct = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await direct.goto(`${viewer.url}s/${big.id}/c/${big.deepId}`);
    const selected = direct.locator(`.row.selected[data-call-id="${big.deepId}"]`);
    await selected.waitFor({ timeout: 30_000 });
    expect(await direct.locator(".details .details-name").textContent()).toBe(big.deepName);
    const row = (await selected.boundingBox())!;
    const area = (await direct.locator(".trace-scroll").boundingBox())!;
    expect(row.y).toBeGreaterThanOrEqual(area.y);
    expect(row.y + row.height).toBeLessThanOrEqual(area.y + area.height);
    await direct.close();
  }, 120_000);
});
