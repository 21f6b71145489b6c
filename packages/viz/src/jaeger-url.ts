import { InvalidOptionsError } from "@runtrace/core";

/**
 * A Jaeger UI base URL, checked: only http(s) (the browser app builds links from it, so a
 * `javascript:` URL must never get through), without a trailing slash. Empty means none.
 */
export function checkJaegerUrl(value: unknown, where: string): string | null {
  if (value === undefined || value === null || value === "") return null;
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new InvalidOptionsError(
      `expected ${where} to be an http(s) URL such as http://localhost:16686, got ${JSON.stringify(String(value))}.`,
    );
  }
  return url.href.replace(/\/+$/, "");
}
