/**
 * What a user sees of a trace that an OpenTelemetry app sent to the viewer over OTLP: its spans as
 * rows marked as spans (not the app's nodes), a model call's model and tokens in its row and its
 * details (as runtrace's own model calls show them), the span's kind, its error.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startViewer, type Viewer } from "../../../packages/viz/src/index.js";
import { artifact, launchChromium, pageProblems, tempDir } from "./helpers.js";

const TRACE = "5b8efff798038103d269b633813fc60c";
const T0 = 1_795_369_671_000_000_000n;
const at = (ms: number) => String(T0 + BigInt(ms) * 1_000_000n);

function span(
  spanId: string,
  parentSpanId: string | undefined,
  name: string,
  from: number,
  to: number,
  more: object = {},
) {
  return {
    traceId: TRACE,
    spanId,
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    name,
    kind: 1,
    startTimeUnixNano: at(from),
    endTimeUnixNano: at(to),
    ...more,
  };
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

describe("viewer: a trace received over OTLP", () => {
  const temp = tempDir("otlp");
  let viewer: Viewer;
  let browser: Browser;
  let sessionId: string;

  /** Sends spans of one service to the viewer's OTLP endpoint, as JSON. */
  async function postSpans(service: string, spans: object[]): Promise<void> {
    const res = await fetch(`${viewer.otlpUrl}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [str("service.name", service)] },
            scopeSpans: [{ scope: { name: "app" }, spans }],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
  }

  /** The id of the session the viewer lists under this name. */
  async function sessionNamed(name: string): Promise<string> {
    const list = (await (await fetch(new URL("/api/sessions", viewer.url))).json()) as {
      sessions: Array<{ id: string; name: string }>;
    };
    return list.sessions.find((session) => session.name === name)!.id;
  }

  beforeAll(async () => {
    viewer = await startViewer({ dir: temp.dir, port: 0, otlp: { port: 0 } });
    await postSpans("support-bot", [
      span("00000000000000c1", "00000000000000b1", "chat gpt-4o", 5, 60, {
        kind: 3,
        attributes: [
          str("gen_ai.request.model", "gpt-4o"),
          int("gen_ai.usage.input_tokens", 1200),
          int("gen_ai.usage.output_tokens", 45),
        ],
      }),
      span("00000000000000c2", "00000000000000b1", "lookup order", 62, 70, {
        kind: 3,
        status: { code: 2, message: "order service unavailable" },
        events: [
          {
            name: "exception",
            timeUnixNano: at(70),
            attributes: [str("exception.type", "FetchError"), str("exception.message", "503")],
          },
        ],
      }),
      span("00000000000000b1", "00000000000000a1", "answer", 2, 80),
      span("00000000000000a1", undefined, "POST /chat", 0, 90, { kind: 2 }),
    ]);
    sessionId = await sessionNamed("POST /chat");
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    temp.remove();
  });

  test("shows spans as spans, a model call's model and tokens, a span's kind and error", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 600 }, deviceScaleFactor: 1 });
    const problems = pageProblems(page);
    await page.goto(new URL(`/s/${sessionId}`, viewer.url).href);
    const rows = page.locator(".trace-canvas .row");
    await rows.nth(4).waitFor();
    expect(await rows.locator(".name").allTextContents()).toEqual([
      "POST /chat",
      "POST /chat",
      "answer",
      "chat gpt-4o",
      "lookup order",
    ]);
    const chat = rows.nth(3);
    expect(await chat.locator(".kind").textContent()).toBe("◇");
    expect(await chat.locator(".kind").getAttribute("title")).toBe("OpenTelemetry span (client)");
    expect(await chat.locator(".genai").textContent()).toBe("gpt-4o · 1,200 → 45 tokens");
    expect(await rows.nth(4).locator(".row-status").textContent()).toBe("error");

    await chat.click();
    const details = page.locator(".details");
    await expect.poll(() => details.locator(".details-name").textContent()).toBe("chat gpt-4o");
    expect(await details.locator(".details-meta").textContent()).toContain("span · client");
    expect(await details.locator("[data-section=model]").textContent()).toBe(
      "▸ModelModelgpt-4oInput tokens1,200Output tokens45",
    );
    expect(await details.locator("[data-section=timings]").textContent()).not.toContain("Attempts");
    expect(await details.locator("[data-section=input]").count()).toBe(0);

    await rows.nth(4).click();
    await expect.poll(() => details.locator(".details-name").textContent()).toBe("lookup order");
    expect(await details.locator("[data-section=error]").textContent()).toContain(
      "order service unavailable",
    );
    await page.screenshot({ path: artifact("viewer-otlp.png") });
    expect(problems).toEqual([]);
    await page.close();
  });

  test("while a trace comes children first, shows its spans at once and moves them under each parent as it comes", async () => {
    const trace = "7c1efff798038103d269b633813fc60d";
    const post = (spans: object[]) =>
      postSpans(
        "ingest",
        spans.map((s) => ({ ...s, traceId: trace })),
      );
    // The leaves end first, as an SDK sends them.
    await post([
      span("00000000000000e1", "00000000000000d1", "parse page", 3, 10),
      span("00000000000000e2", "00000000000000d1", "embed page", 11, 20),
    ]);
    const id = await sessionNamed("ingest");

    const page = await browser.newPage({ viewport: { width: 1400, height: 600 }, deviceScaleFactor: 1 });
    const problems = pageProblems(page);
    await page.goto(new URL(`/s/${id}`, viewer.url).href);
    const rows = page.locator(".trace-canvas .row");
    const shown = async () =>
      (await rows.evaluateAll((els) =>
        els.map((el) => `${el.getAttribute("aria-level")} ${el.querySelector(".name")?.textContent}`),
      )) as string[];
    await expect.poll(shown).toEqual(["1 ingest", "2 parse page", "2 embed page"]);

    // Their parent comes: they move under it, live, without a reload.
    await post([span("00000000000000d1", "00000000000000c1", "index document", 2, 21)]);
    await expect.poll(shown).toEqual(["1 ingest", "2 index document", "3 parse page", "3 embed page"]);
    // Then the root span: the whole tree, as it ran.
    await post([span("00000000000000c1", undefined, "POST /ingest", 0, 30, { kind: 2 })]);
    await expect
      .poll(shown)
      .toEqual(["1 POST /ingest", "2 POST /ingest", "3 index document", "4 parse page", "4 embed page"]);
    await page.screenshot({ path: artifact("viewer-otlp-live.png") });
    expect(problems).toEqual([]);
    await page.close();
  });
});
