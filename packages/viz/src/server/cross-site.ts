import type { IncomingMessage } from "node:http";

/**
 * Why a request from another site's page is refused, or `undefined` when it may be answered.
 *
 * A page on any site can make a browser send requests to the viewer (an `<img>`, a `<script>`, an
 * `EventSource`): it cannot read the answers, but each one costs the server (a session read, a
 * live stream held open). Browsers say where a request comes from: `Sec-Fetch-Site` (`same-origin`,
 * `same-site`, `cross-site`, or `none` for an address typed or opened from outside a page) and
 * `Origin` on script-made requests. Answered: requests from the viewer's own pages, typed
 * addresses, and requests that carry neither header (curl, the CLI, scripts). Refused: everything
 * marked `cross-site` or `same-site` (another port of localhost is the same site, and is not the
 * viewer), and an `Origin` other than the viewer's own. One exception: following a link to one of
 * the viewer's pages from another site (a top-level navigation) opens it, since the page only
 * shows the app and every request it then makes is its own.
 */
export function crossSiteRefusal(req: IncomingMessage, path: string): string | undefined {
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none") {
    const navigation =
      req.headers["sec-fetch-mode"] === "navigate" &&
      (req.headers["sec-fetch-dest"] ?? "document") === "document" &&
      !(path === "/api" || path.startsWith("/api/"));
    if (!navigation) {
      return `Refused a request made by a page of another site (Sec-Fetch-Site: ${JSON.stringify(site.slice(0, 40))}): the viewer answers only its own pages. Open the viewer's address directly (as \`runtrace viz\` prints it) instead of loading it from another page.`;
    }
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const own = `http://${(req.headers.host ?? "").toLowerCase()}`;
    if (origin.toLowerCase() !== own) {
      return `Refused a request from ${JSON.stringify(origin.slice(0, 100))}: the viewer answers only its own pages (${own}). Open the viewer's address directly instead of loading it from another page.`;
    }
  }
  return undefined;
}
