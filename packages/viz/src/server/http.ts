import type { ServerResponse } from "node:http";
import type { ErrorResponse } from "../shared/types.js";

/** The Content-Security-Policy of every HTML page the server sends: the app's own files only. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Headers on every response. */
export function baseHeaders(res: ServerResponse): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** `{ error: { code, message } }` with a 4xx/5xx status. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body: ErrorResponse = { error: { code, message } };
  sendJson(res, status, body);
}

export function sendHtml(res: ServerResponse, status: number, html: string | Buffer): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
    "Content-Length": Buffer.byteLength(html),
  });
  res.end(html);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}
