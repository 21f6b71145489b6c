/**
 * The viewer refuses what a page of another site makes a browser request (no-cors GETs, event
 * streams), and still answers its own pages, typed addresses and clients that send no such header.
 * Real HTTP requests with the headers browsers send.
 */
import { readdirSync } from "node:fs";
import { request } from "node:http";
import * as rt from "@runtrace/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Viewer } from "../../packages/viz/src/index.js";
import { startViewer } from "../../packages/viz/src/index.js";
import { CLIENT_DIR } from "../../packages/viz/src/paths.js";
import type { ErrorResponse } from "../../packages/viz/src/shared/types.js";
import { record, removeTempDirs, tempDir } from "./fixtures/helpers.js";

const greet = rt.functionNode(async (name: string) => `hello ${name}`, { name: "greet" });

let viewer: Viewer;
let id: string;

beforeEach(async () => {
  const dir = tempDir();
  id = await record(dir, "good", () => rt.call(greet, "ada"));
  viewer = await startViewer({ dir, port: 0 });
});

afterEach(async () => {
  await viewer.close();
  removeTempDirs();
});

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** A GET with exactly these headers; an event stream is read only until its first event. */
function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: viewer.port,
        path,
        headers: { host: `127.0.0.1:${viewer.port}`, ...headers },
      },
      (res) => {
        const type = String(res.headers["content-type"] ?? "");
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
          if (type.startsWith("text/event-stream") && body.includes("\n\nevent:") && body.endsWith("\n\n")) {
            resolve({ status: res.statusCode!, type, body });
            res.destroy();
          }
        });
        res.on("end", () => resolve({ status: res.statusCode!, type, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const asset = () =>
  `/assets/${readdirSync(new URL("assets/", CLIENT_DIR)).find((name) => name.endsWith(".js"))}`;

/** What a browser sends for a request made by a page of another site. */
const fromElsewhere = {
  image: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" },
  script: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "script" },
  frame: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "iframe" },
  stream: {
    "sec-fetch-site": "cross-site",
    "sec-fetch-mode": "cors",
    "sec-fetch-dest": "empty",
    origin: "https://evil.example",
  },
  sameSite: {
    "sec-fetch-site": "same-site",
    "sec-fetch-mode": "cors",
    "sec-fetch-dest": "empty",
    origin: "http://127.0.0.1:3000",
  },
};

describe("requests from other sites", () => {
  it("are refused with 403 and a clear JSON error", async () => {
    const refused: Array<[string, Record<string, string>]> = [
      ["/api/sessions", fromElsewhere.image],
      [`/api/sessions/${id}`, fromElsewhere.script],
      [`/api/sessions/${id}/calls`, fromElsewhere.image],
      [`/api/sessions/${id}/stream`, fromElsewhere.stream],
      [`/api/sessions/${id}/stream`, fromElsewhere.sameSite],
      ["/", fromElsewhere.frame],
      [`/s/${id}`, fromElsewhere.image],
      [asset(), fromElsewhere.script],
      // Only an Origin (a browser that sends no Sec-Fetch-* headers), or a sandboxed page's "null".
      ["/api/sessions", { origin: "https://evil.example" }],
      [`/api/sessions/${id}/stream`, { origin: "null" }],
      ["/api/sessions", { origin: "http://localhost:3000" }],
      // A navigation of another site's page to the API is still refused.
      [
        "/api/sessions",
        { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
      ],
    ];
    for (const [path, headers] of refused) {
      const answer = await get(path, headers);
      expect({ path, headers, status: answer.status, type: answer.type }).toEqual({
        path,
        headers,
        status: 403,
        type: "application/json; charset=utf-8",
      });
      const { error } = JSON.parse(answer.body) as ErrorResponse;
      expect(error.code).toBe("cross_site");
      expect(error.message).toMatch(/^Refused a request .*the viewer answers only its own pages/);
    }
  });

  it("still answers the viewer's own pages, typed addresses, links from elsewhere, curl and the CLI", async () => {
    const own = `http://127.0.0.1:${viewer.port}`;
    const answered: Array<[string, Record<string, string>, string]> = [
      // curl, scripts, the CLI: no browser headers at all.
      ["/api/sessions", {}, "application/json"],
      [`/api/sessions/${id}/stream`, {}, "text/event-stream"],
      // The app's own requests.
      ["/api/sessions", { "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" }, "application/json"],
      [
        `/api/sessions/${id}/stream`,
        { "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", origin: own },
        "text/event-stream",
      ],
      [
        asset(),
        { "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", origin: own },
        "text/javascript",
      ],
      // An address typed in the address bar, or opened from a terminal.
      [
        "/",
        { "sec-fetch-site": "none", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
        "text/html",
      ],
      ["/api/sessions", { "sec-fetch-site": "none", "sec-fetch-mode": "navigate" }, "application/json"],
      // A link to a session from another site's page opens the viewer.
      [
        `/s/${id}`,
        { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
        "text/html",
      ],
    ];
    for (const [path, headers, type] of answered) {
      const answer = await get(path, headers);
      expect({ path, headers, status: answer.status, type: answer.type.split(";")[0] }).toEqual({
        path,
        headers,
        status: 200,
        type,
      });
    }
    // By its other loopback name, with that name as Origin.
    const localhost = await get("/api/sessions", {
      host: `localhost:${viewer.port}`,
      origin: `http://localhost:${viewer.port}`,
    });
    expect(localhost.status).toBe(200);
  });
});
