/**
 * URLs of the app. Served: History API paths `/`, `/s/:sessionId`, `/s/:sessionId/c/:callId`.
 * An exported file (one session, opened from `file://`): hash URLs `#/` and `#/c/:callId`.
 * Ids are always percent-encoded into a fixed path prefix, so a recorded id can never become a
 * different kind of URL.
 */

export type Mode = "served" | "inline";

export type Route =
  | { page: "sessions" }
  | { page: "session"; sessionId: string; callId: string | undefined }
  | { page: "missing"; path: string };

function decode(segment: string): string | undefined {
  try {
    const value = decodeURIComponent(segment);
    return value.length > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The route of a served path such as `/s/abc/c/12`. */
export function parsePath(pathname: string): Route {
  const parts = pathname.split("/").filter((part) => part.length > 0);
  if (parts.length === 0) return { page: "sessions" };
  if (parts[0] === "s" && (parts.length === 2 || (parts.length === 4 && parts[2] === "c"))) {
    const sessionId = decode(parts[1]!);
    const callId = parts.length === 4 ? decode(parts[3]!) : undefined;
    if (sessionId !== undefined && (parts.length === 2 || callId !== undefined))
      return { page: "session", sessionId, callId };
  }
  return { page: "missing", path: pathname };
}

/** The route of an exported file's hash such as `#/c/12`, for its one session. */
export function parseHash(hash: string, sessionId: string): Route {
  const path = hash.replace(/^#/, "");
  const match = /^\/c\/([^/]+)\/?$/.exec(path);
  const callId = match ? decode(match[1]!) : undefined;
  return { page: "session", sessionId, callId };
}

/** The href of a route: a path when served, a hash in an exported file. */
export function href(mode: Mode, route: Route): string {
  if (mode === "inline") {
    if (route.page === "session" && route.callId !== undefined)
      return `#/c/${encodeURIComponent(route.callId)}`;
    return "#/";
  }
  switch (route.page) {
    case "sessions":
      return "/";
    case "session": {
      const base = `/s/${encodeURIComponent(route.sessionId)}`;
      return route.callId === undefined ? base : `${base}/c/${encodeURIComponent(route.callId)}`;
    }
    case "missing":
      return "/";
  }
}
