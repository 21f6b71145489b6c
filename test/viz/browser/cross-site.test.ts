/**
 * A page of another site, open in the same browser, makes it request the viewer (an image, a
 * script, a no-cors fetch, an event stream): the viewer answers each with 403, so no session is
 * read and no stream is held open for it. Chromium's own headers, not hand-written ones.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startViewer, type Viewer } from "../../../packages/viz/src/index.js";
import { launchChromium, tempDir, writeSession } from "./helpers.js";

const ID = "20261128-110000-c0ffee0001";

describe("viewer: requests from other sites' pages", () => {
  const temp = tempDir("cross-site");
  let viewer: Viewer;
  let browser: Browser;
  let elsewhere: Server;
  let elsewherePort: number;

  beforeAll(async () => {
    const start = Date.now() - 1000;
    writeSession(temp.dir, ID, [
      { type: "session", v: 1, id: ID, name: "target", start, pid: 1, host: "elsewhere" },
      { type: "call", id: "1", parent: "0", node: "work", kind: "tool", start, status: "ok", end: start + 5 },
    ]);
    viewer = await startViewer({ dir: temp.dir, port: 0 });
    const target = viewer.url.replace(/\/$/, "");
    // Another site's page: it points an image, a script, a fetch and an event stream at the viewer.
    elsewhere = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><title>elsewhere</title>
<img src="${target}/api/sessions">
<script src="${target}/api/sessions/${ID}"></script>
<script>
  fetch("${target}/api/sessions/${ID}/calls", { mode: "no-cors" }).catch(() => {});
  new EventSource("${target}/api/sessions/${ID}/stream");
</script>`);
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    elsewherePort = (elsewhere.address() as AddressInfo).port;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    await new Promise((resolve) => elsewhere?.close(resolve));
    temp.remove();
  });

  // `localhost` is another site than `127.0.0.1`; another port of 127.0.0.1 is the same site.
  test.each(["localhost", "127.0.0.1"])("a page served from %s gets 403 for each", async (host) => {
    const page = await browser.newPage();
    // What went over the wire (Chromium blocks these answers before the page, or Playwright, sees
    // them): the headers Chromium sent and the status the viewer answered, by request.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    const paths = new Map<string, string>();
    const sites = new Map<string, string>();
    const statuses = new Map<string, number>();
    cdp.on("Network.requestWillBeSent", (event) => {
      const url = new URL(event.request.url);
      if (url.port === String(viewer.port)) paths.set(event.requestId, url.pathname);
    });
    cdp.on("Network.requestWillBeSentExtraInfo", (event) => {
      sites.set(event.requestId, String(event.headers["Sec-Fetch-Site"] ?? event.headers["sec-fetch-site"]));
    });
    cdp.on("Network.responseReceivedExtraInfo", (event) => statuses.set(event.requestId, event.statusCode));
    const answered = () =>
      Object.fromEntries(
        [...paths]
          .filter(([request]) => statuses.has(request))
          .map(([request, path]) => [path, statuses.get(request)]),
      );

    await page.goto(`http://${host}:${elsewherePort}/`);
    const expected = [
      "/api/sessions",
      `/api/sessions/${ID}`,
      `/api/sessions/${ID}/calls`,
      `/api/sessions/${ID}/stream`,
    ];
    await expect.poll(() => Object.keys(answered()).length, { timeout: 20_000 }).toBe(4);
    expect(answered()).toEqual(Object.fromEntries(expected.map((path) => [path, 403])));
    const site = host === "localhost" ? "cross-site" : "same-site";
    expect([...paths.keys()].map((request) => sites.get(request))).toEqual(expected.map(() => site));
    await page.close();

    // The viewer's own page, in the same browser, is answered as always.
    const own = await browser.newPage();
    await own.goto(`${viewer.url}s/${ID}`);
    await own.locator(".trace-canvas .row", { hasText: "work" }).first().waitFor();
    await own.close();
  });
});
