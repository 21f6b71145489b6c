import { readFile, stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, resolve, sep } from "node:path";
import { sendHtml, sendText } from "./http.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/** Paths the browser app routes itself: `/`, `/s/:sessionId`, `/s/:sessionId/c/:callId`. */
const APP_ROUTE = /^\/(?:index\.html|s\/[^/]+\/?(?:c\/[^/]+\/?)?)?$/;

/** Shown instead of the app when `dist/client/` is missing; the JSON API works either way. */
export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>runtrace viewer: app not built</title></head>
<body>
<h1>The runtrace viewer app is not built</h1>
<p>The server is running and its JSON API answers (try <a href="/api/sessions">/api/sessions</a>),
but the browser app's files are missing from <code>packages/viz/dist/client/</code>.</p>
<p>Build it from the repository root with <code>npm run build --workspace @runtrace/viz</code>
(or <code>npm run build</code> in <code>packages/viz</code>), then reload this page.</p>
</body>
</html>
`;

/** The built browser app (`dist/client/`), served as static files with `index.html` for app routes. */
export class ClientFiles {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Whether the path is one of the app's own pages. */
  isAppRoute(path: string): boolean {
    return APP_ROUTE.test(path);
  }

  /** Answers an app route with `index.html`, or with the "not built" page. */
  async sendApp(res: ServerResponse): Promise<void> {
    const html = await this.#read("index.html");
    if (html === undefined) sendHtml(res, 200, NOT_BUILT_PAGE);
    else sendHtml(res, 200, html);
  }

  /** Sends a file of the app; false when there is none at that path. */
  async sendFile(res: ServerResponse, rawPath: string): Promise<boolean> {
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return false;
    }
    if (path.includes("\0") || path.includes("\\") || path.split("/").includes("..")) return false;
    const body = await this.#read(path.slice(1));
    if (body === undefined) return false;
    const extension = extname(path).toLowerCase();
    if (extension === ".html") {
      sendHtml(res, 200, body);
      return true;
    }
    res.writeHead(200, {
      "Content-Type": TYPES[extension] ?? "application/octet-stream",
      "Content-Length": body.length,
      // Vite names built assets by content hash: they never change under one name.
      "Cache-Control": path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    });
    res.end(body);
    return true;
  }

  async #read(relative: string): Promise<Buffer | undefined> {
    const file = resolve(this.dir, relative);
    if (!file.startsWith(this.dir + sep)) return undefined;
    try {
      if (!(await stat(file)).isFile()) return undefined;
      return await readFile(file);
    } catch {
      return undefined;
    }
  }
}

export function sendNotFound(res: ServerResponse): void {
  sendText(res, 404, "Not found\n");
}
