import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { LoadError, type SessionSource } from "../load/sessions.js";
import { packageVersion } from "../paths.js";
import type { CallsResponse, ConfigResponse, SessionsResponse } from "../shared/types.js";
import { crossSiteRefusal } from "./cross-site.js";
import { allowedHosts, foreignHostRefusal } from "./host-check.js";
import { baseHeaders, sendError, sendJson } from "./http.js";
import { type ClientFiles, sendNotFound } from "./static.js";
import { StreamHub, streamSession } from "./stream.js";

/** Everything the server needs, already checked by `startViewer`. */
export interface ServerConfig {
  source: SessionSource;
  client: ClientFiles;
  host: string;
  port: number;
  jaegerUrl: string | null;
  /** @default 15000 */
  keepAliveMs?: number;
  /** How many calls may change while a stream's client reads nothing before it is dropped. @default 10000 */
  maxBacklog?: number;
}

/** A listening server. */
export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_LIMIT = 5000;
export const MAX_LIMIT = 50_000;

/** Thrown inside a handler to answer with a JSON error. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function wholeNumber(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  if (!/^\d{1,15}$/.test(text)) {
    throw new HttpError(
      400,
      "invalid_query",
      `\`${name}\` must be a whole number of 0 or more, got ${JSON.stringify(text.slice(0, 40))}. Example: ?offset=0&limit=${DEFAULT_LIMIT}.`,
    );
  }
  return Number(text);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, "invalid_session_id", `${JSON.stringify(segment)} is not a valid URL segment.`);
  }
}

/** Starts the viewer's HTTP server: JSON API, live streams, and the built browser app. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const { source, client } = config;
  const hub = new StreamHub();
  let allowed = new Set<string>();

  const api = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => {
    const parts = path.split("/").slice(2);
    if (parts.length === 1 && parts[0] === "config") {
      const body: ConfigResponse = { version: packageVersion(), jaegerUrl: config.jaegerUrl };
      return sendJson(res, 200, body);
    }
    if (parts[0] !== "sessions") throw new HttpError(404, "not_found", `No API route ${path}.`);
    if (parts.length === 1 || (parts.length === 2 && parts[1] === "")) {
      const body: SessionsResponse = { sessions: await source.list() };
      return sendJson(res, 200, body);
    }
    // The id is checked before anything else, so `../` in any form is a 400 whatever follows it.
    const id = decodeSegment(parts[1]!);
    source.fileOf(id);
    if (parts.length === 2) return sendJson(res, 200, (await source.load(id)).response);
    if (parts.length === 3 && parts[2] === "calls") {
      const offset = wholeNumber(query, "offset", 0);
      const limit = Math.min(wholeNumber(query, "limit", DEFAULT_LIMIT), MAX_LIMIT);
      const calls = (await source.load(id)).calls();
      const body: CallsResponse = { total: calls.total, offset, calls: calls.slice(offset, limit) };
      return sendJson(res, 200, body);
    }
    if (parts.length === 3 && parts[2] === "stream") {
      res.on("error", () => {});
      return streamSession(req, res, source, id, hub, config);
    }
    throw new HttpError(404, "not_found", `No API route ${path}.`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    baseHeaders(res);
    const foreign = foreignHostRefusal(req, allowed, "this viewer", "Open it by that address");
    if (foreign !== undefined) throw new HttpError(403, "forbidden_host", foreign);
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    // The raw path, not `new URL(...)`: that would resolve `..` segments before the id is checked.
    const path = q === -1 ? raw : raw.slice(0, q);
    const refusal = crossSiteRefusal(req, path);
    if (refusal !== undefined) throw new HttpError(403, "cross_site", refusal);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      throw new HttpError(
        405,
        "method_not_allowed",
        `${req.method} is not allowed: the viewer is read-only.`,
      );
    }
    const query = new URLSearchParams(q === -1 ? "" : raw.slice(q + 1));
    if (path === "/api" || path.startsWith("/api/")) return api(req, res, path, query);
    if (client.isAppRoute(path)) return client.sendApp(res);
    if (await client.sendFile(res, path)) return;
    sendNotFound(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) sendError(res, error.status, error.code, error.message);
      else if (error instanceof LoadError)
        sendError(res, error.code === "invalid_session_id" ? 400 : 404, error.code, error.message);
      else sendError(res, 500, "internal_error", error instanceof Error ? error.message : String(error));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // After listening, an error on the server (not on one request) is reported, never thrown.
  server.on("error", (error) => console.error(`runtrace viewer: ${error.message}`));
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(config.host, port);
  const wildcard = config.host === "0.0.0.0" || config.host === "::";
  const shown = wildcard ? "127.0.0.1" : config.host.includes(":") ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}/`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        hub.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
