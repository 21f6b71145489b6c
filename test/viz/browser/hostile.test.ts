/**
 * Must show 3: names, inputs, outputs, errors, attributes and events that contain HTML, a closing
 * `</script>` and `javascript:` links are shown as text and run nothing (the page flag
 * `window.__pwned` stays undefined), in the served viewer AND in the exported HTML file opened
 * from `file://`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as rt from "@runtrace/core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startViewer, toHtml, type Viewer } from "../../../packages/viz/src/index.js";
import { artifact, launchChromium, pageProblems, pwned, tempDir, writeSession } from "./helpers.js";

const IMG = "<img src=x onerror=window.__pwned=1>";
const SCRIPT = "</script><script>window.__pwned=1</script>";
const JS_LINK = "javascript:window.__pwned=1";
const SVG = "<svg onload=window.__pwned=1></svg>";
const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const JAEGER = "http://127.0.0.1:16686";
const ID = "20261122-120000-hostile001";

function hostileLines(): object[] {
  const t0 = Date.now() - 60_000;
  const graph = {
    steps: [
      { name: IMG, node: "fetch", exclude: false },
      { name: SCRIPT, node: "parse", exclude: false },
    ],
    edges: [[IMG, SCRIPT]],
  };
  return [
    { type: "session", v: 1, id: ID, name: IMG, start: t0, pid: 1, host: SVG, attributes: { note: SCRIPT } },
    {
      type: "call",
      id: "1",
      parent: "0",
      node: IMG,
      kind: "tool",
      start: t0 + 1,
      input: [SCRIPT, { href: JS_LINK, html: SVG }],
      attempts: 1,
      status: "ok",
      end: t0 + 20,
      output: IMG,
      events: [{ name: IMG, time: t0 + 5, data: { link: JS_LINK, html: SCRIPT } }],
      attributes: { [IMG]: SCRIPT, url: JS_LINK },
      traceId: JS_LINK,
      spanId: IMG,
    },
    {
      type: "call",
      id: "2",
      parent: "0",
      node: SCRIPT,
      kind: "llm",
      start: t0 + 21,
      input: JS_LINK,
      attempts: 2,
      status: "error",
      end: t0 + 40,
      error: { name: IMG, message: SCRIPT, stack: `${JS_LINK}\n    at ${SVG}`, code: IMG },
      traceId: TRACE_ID,
      spanId: "b7ad6b7169203331",
    },
    {
      type: "call",
      id: "3",
      parent: "0",
      node: JS_LINK,
      kind: "flow",
      start: t0 + 41,
      input: { [SCRIPT]: [IMG] },
      attempts: 1,
      status: "ok",
      end: t0 + 60,
      output: { result: JS_LINK },
      attributes: { "flow.graph": graph, "flow.criticalPath": [IMG, SCRIPT], "flow.makespanMs": 19 },
    },
    {
      type: "call",
      id: "4",
      parent: "3",
      node: "fetch",
      kind: "function",
      start: t0 + 42,
      input: [IMG],
      attempts: 1,
      status: "ok",
      end: t0 + 50,
      output: SCRIPT,
      attributes: { "flow.step": IMG },
    },
    {
      type: "call",
      id: "5",
      parent: "3",
      node: "parse",
      kind: "function",
      start: t0 + 51,
      input: [SCRIPT],
      attempts: 1,
      status: "ok",
      end: t0 + 59,
      output: JS_LINK,
      attributes: { "flow.step": SCRIPT },
    },
    {
      type: "session-end",
      status: "error",
      end: t0 + 61,
      output: SCRIPT,
      error: { name: IMG, message: JS_LINK },
    },
  ];
}

/** Nothing recorded became markup or a link: no <img>/<svg onload>, no javascript: href, one app script. */
async function expectInert(page: Page): Promise<void> {
  expect(await pwned(page)).toBeUndefined();
  expect(await page.locator("img").count()).toBe(0);
  expect(await page.locator("svg[onload]").count()).toBe(0);
  expect(await page.locator("[onerror]").count()).toBe(0);
  expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
  expect(await page.locator("script:not([type='application/json'])").count()).toBe(1);
  // Every link the app rendered goes inside the app, or to the configured Jaeger for a hex trace id.
  const hrefs = await page.evaluate(
    "Array.from(document.querySelectorAll('a[href]'), (a) => a.getAttribute('href'))",
  );
  for (const href of hrefs as string[]) {
    expect(href.startsWith("/") || href.startsWith("#") || href === `${JAEGER}/trace/${TRACE_ID}`, href).toBe(
      true,
    );
  }
}

/** Opens each call and checks its recorded text is there, as text. */
async function walkCalls(page: Page): Promise<void> {
  await page.locator(".row .name", { hasText: IMG }).first().waitFor();
  expect(await page.locator(".row .name").allTextContents()).toEqual([
    IMG,
    IMG,
    SCRIPT,
    JS_LINK,
    "fetch",
    "parse",
  ]);

  await page.locator(".row .name", { hasText: IMG }).nth(1).click();
  const details = page.locator(".details");
  await expect.poll(() => details.locator(".details-name").textContent()).toBe(IMG);
  const text = (await details.textContent()) ?? "";
  for (const value of [SCRIPT, JS_LINK, SVG, IMG]) expect(text).toContain(value);
  await expectInert(page);

  await page.locator(".row .name", { hasText: SCRIPT }).click();
  await expect.poll(() => details.locator(".error-message").textContent()).toBe(SCRIPT);
  expect(await details.locator(".error-name").textContent()).toBe(IMG);
  expect(await details.locator(".stack").textContent()).toContain(SVG);
  await expectInert(page);

  await page.locator(".row .name", { hasText: JS_LINK }).click();
  // The flow graph draws the step names as SVG text, and a step box links to the step's call.
  const graph = details.locator(".flow-graph");
  await graph.waitFor();
  expect(await graph.locator(".step-name").allTextContents()).toEqual([
    expect.stringContaining("<img"),
    expect.stringContaining("</script>"),
  ]);
  await graph.locator(".step-link").first().click();
  await expect.poll(() => details.locator(".details-name").textContent()).toBe("fetch");
  await expectInert(page);

  // Search finds recorded text and still renders it as text.
  await page.locator('input[aria-label="Search calls"]').fill("onerror");
  await expect.poll(() => page.locator(".match-count").textContent()).toMatch(/^1 \/ \d+$/);
  await expectInert(page);
}

describe("viewer: recorded text is shown as text and never runs", () => {
  const temp = tempDir("hostile");
  let viewer: Viewer;
  let browser: Browser;

  beforeAll(async () => {
    writeSession(temp.dir, ID, hostileLines());
    viewer = await startViewer({ dir: temp.dir, port: 0, jaegerUrl: JAEGER });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    temp.remove();
  });

  test("in the served viewer", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const problems = pageProblems(page);
    await page.goto(viewer.url);
    const link = page.locator(".sessions-table a", { hasText: IMG });
    await link.waitFor();
    expect(await link.textContent()).toBe(IMG);
    await expectInert(page);
    await link.click();
    await walkCalls(page);

    // The Jaeger link exists only for the hex trace id, built from the configured base URL.
    await page.locator(".row .name", { hasText: SCRIPT }).click();
    const jaeger = page.locator(".details a", { hasText: "open in Jaeger" });
    expect(await jaeger.getAttribute("href")).toBe(`${JAEGER}/trace/${TRACE_ID}`);
    await page.locator(".row .name", { hasText: IMG }).nth(1).click();
    await page.locator(".details [data-section=trace]").waitFor();
    expect(await page.locator(".details a", { hasText: "open in Jaeger" }).count()).toBe(0);

    await page.screenshot({ path: artifact("viewer-hostile.png") });
    expect(await pwned(page)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });

  test("in the exported HTML file opened from file://, with no request", async () => {
    const tree = await rt.readSession(ID, { dir: temp.dir });
    const file = join(temp.dir, "hostile.html");
    writeFileSync(file, toHtml(tree, { jaegerUrl: JAEGER }));

    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const problems = pageProblems(page);
    const requests: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith("file:") && !request.url().startsWith("data:"))
        requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href);
    await walkCalls(page);
    // Selecting a call gives it a hash URL in the file.
    expect(new URL(page.url()).hash).toMatch(/^#\/c\/\d+$/);

    await page.screenshot({ path: artifact("viewer-hostile-export.png") });
    expect(await pwned(page)).toBeUndefined();
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
