import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { dirname, extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type CallTree, summarizeSession } from "@runtrace/core";
import { checkJaegerUrl } from "../jaeger-url.js";
import { flattenTree } from "../load/flatten.js";
import { sessionResponse } from "../load/summary.js";
import { CLIENT_DIR, packageVersion } from "../paths.js";
import { safeLine } from "../safe-text.js";
import type { InlineData } from "../shared/types.js";

/** Options of `toHtml`. */
export interface HtmlOptions {
  /** Base URL of a Jaeger UI for "open in Jaeger" links. @default null */
  jaegerUrl?: string | null;
  /** Where the built browser app is. @default the package's `dist/client/` */
  clientDir?: string | URL;
}

const JSON_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * JSON that is safe inside `<script type="application/json">`: no `<`, `>` or `&` can close the
 * element or open a comment, and U+2028/2029 cannot break a reader that evaluates it. DEL, C1 and
 * the bidirectional controls are escaped too, so the file prints safely in a terminal. These
 * characters only occur inside JSON strings, where `\uXXXX` means the same character.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => JSON_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** JavaScript safe inside `<script>`: `</script` and `<!--` spelled `\x3C…` (same string, regex or comment). */
export function scriptForHtml(js: string): string {
  return js.replace(/<(\/script|!--)/gi, (_, rest: string) => `\\x3C${rest}`);
}

/** CSS safe inside `<style>`. */
export function styleForHtml(css: string): string {
  return css.replace(/<\/style/gi, () => "<\\/style");
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

const MIME: Record<string, string> = {
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".jpg": "image/jpeg",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
};

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*(["'])(.*?)\\1`, "i").exec(tag);
  return match?.[2];
}

function notBuilt(dir: string): Error {
  return new Error(
    `Cannot export HTML: the viewer app is not built (no ${resolve(dir, "index.html")}). ` +
      "Build it with `npm run build --workspace @runtrace/viz` (or `npm run build` in packages/viz), then export again.",
  );
}

/** Reads the built app's files, never outside its directory. */
class ClientBundle {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  path(href: string, from = this.dir): string {
    if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(href)) {
      throw new Error(
        `Cannot export HTML: index.html loads ${JSON.stringify(href)} from the network; a self-contained file needs every script and style built into ${this.dir}.`,
      );
    }
    const clean = href.replace(/[?#].*$/, "");
    const file = clean.startsWith("/") ? resolve(this.dir, `.${clean}`) : resolve(from, clean);
    if (!file.startsWith(this.dir + sep))
      throw new Error(`Cannot export HTML: ${href} is outside ${this.dir}.`);
    return file;
  }

  text(href: string): string {
    return readFileSync(this.path(href), "utf8");
  }

  /** A file as a `data:` URL, or undefined when it is not there (a missing icon is no reason to fail). */
  dataUrl(href: string, from?: string): string | undefined {
    try {
      const file = this.path(href, from);
      if (!statSync(file).isFile()) return undefined;
      const type = MIME[extname(file).toLowerCase()] ?? "application/octet-stream";
      return `data:${type};base64,${readFileSync(file).toString("base64")}`;
    } catch {
      return undefined;
    }
  }
}

/** Inlines what a stylesheet's `url(...)` points at (fonts, images) as data URLs. */
function inlineCssUrls(css: string, cssFile: string, bundle: ClientBundle): string {
  return css.replace(/url\(\s*(["']?)([^"')]+)\1\s*\)/g, (whole, _quote: string, href: string) => {
    if (/^(data:|#)/i.test(href) || /^[a-z][a-z0-9+.-]*:/i.test(href)) return whole;
    const data = bundle.dataUrl(href, dirname(cssFile));
    return data === undefined ? whole : `url("${data}")`;
  });
}

/**
 * One self-contained HTML file with the viewer app and the session: the built app's `index.html`
 * with its script and stylesheet inlined, and the session as `<script type="application/json"
 * id="runtrace-data">` (an `InlineData`). It opens from `file://` with no network, under a
 * Content-Security-Policy that allows only the inlined script and styles (by sha256 hash).
 * Throws when the app is not built.
 *
 * @example
 * ```ts
 * writeFileSync("session.html", toHtml(await rt.readSession(id)));
 * ```
 */
export function toHtml(tree: CallTree, options: HtmlOptions = {}): string {
  const jaegerUrl = checkJaegerUrl(options.jaegerUrl, "`jaegerUrl`");
  const dir =
    options.clientDir instanceof URL
      ? fileURLToPath(options.clientDir)
      : (options.clientDir ?? fileURLToPath(CLIENT_DIR));
  const bundle = new ClientBundle(dir);
  let html: string;
  try {
    html = readFileSync(resolve(bundle.dir, "index.html"), "utf8");
  } catch {
    throw notBuilt(bundle.dir);
  }

  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc\s*=[^>]*>\s*<\/script\s*>/gi)];
  if (scripts.length !== 1) {
    throw new Error(
      `Cannot export HTML: expected the built index.html in ${bundle.dir} to load exactly one script, found ${scripts.length}. Rebuild the app (\`npm run build --workspace @runtrace/viz\`).`,
    );
  }
  const scriptTag = scripts[0]![0];
  const js = scriptForHtml(bundle.text(attribute(scriptTag, "src")!));
  const isModule = /\btype\s*=\s*["']?module/i.test(scriptTag);

  const styleHashes: string[] = [];
  html = html.replace(/<link\b[^>]*>/gi, (tag) => {
    const rel = (attribute(tag, "rel") ?? "").toLowerCase();
    const href = attribute(tag, "href");
    if (href === undefined || /^data:/i.test(href)) return tag;
    if (rel === "stylesheet") {
      const file = bundle.path(href);
      const css = styleForHtml(inlineCssUrls(readFileSync(file, "utf8"), file, bundle));
      styleHashes.push(sha256(css));
      return `<style>${css}</style>`;
    }
    if (rel.split(/\s+/).includes("icon")) {
      const data = bundle.dataUrl(href);
      return data === undefined ? "" : `<link rel="icon" href="${data}">`;
    }
    // modulepreload and the like point at files that are inlined or not needed offline.
    return "";
  });
  html = html.replace(/<meta\b[^>]*http-equiv\s*=\s*["']content-security-policy["'][^>]*>/gi, () => "");

  const summary = summarizeSession(tree);
  const data: InlineData = {
    session: { ...sessionResponse(tree, summary), live: false },
    calls: flattenTree(tree).all(),
    config: { version: packageVersion(), jaegerUrl },
  };
  const dataTag = `<script type="application/json" id="runtrace-data">${jsonForScript(data)}</script>`;
  const appTag = `<script${isModule ? ' type="module"' : ""}>${js}</script>`;
  html = html.replace(/<script\b[^>]*\bsrc\s*=[^>]*>\s*<\/script\s*>/i, () => `${dataTag}\n${appTag}`);

  const csp = [
    "default-src 'none'",
    `script-src ${sha256(js)}`,
    `style-src ${styleHashes.length > 0 ? styleHashes.join(" ") : "'none'"}`,
    "img-src data:",
    "font-src data:",
    "connect-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const meta = `<meta http-equiv="Content-Security-Policy" content="${csp}">`;
  const title = `${escapeHtml(safeLine(tree.root.node))} · runtrace`;
  html = /<title>[\s\S]*?<\/title>/i.test(html)
    ? html.replace(/<title>[\s\S]*?<\/title>/i, () => `<title>${title}</title>`)
    : html;
  // The policy must come before anything it governs: first thing in <head>.
  if (/<head\b[^>]*>/i.test(html)) html = html.replace(/<head\b[^>]*>/i, (head) => `${head}\n${meta}`);
  else html = `${meta}\n${html}`;
  return html;
}
