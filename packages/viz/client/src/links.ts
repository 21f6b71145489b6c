/**
 * The only URL the app builds from anything recorded: "open in Jaeger", from the configured Jaeger
 * base URL (http or https only) and a hex trace id. Everything else recorded is shown as text.
 */

const TRACE_ID = /^[0-9a-f]{16,32}$/;

export function jaegerLink(jaegerUrl: string | null | undefined, traceId: unknown): string | undefined {
  if (typeof jaegerUrl !== "string" || typeof traceId !== "string" || !TRACE_ID.test(traceId))
    return undefined;
  let base: URL;
  try {
    base = new URL(jaegerUrl);
  } catch {
    return undefined;
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") return undefined;
  if (base.username || base.password) return undefined;
  return `${base.href.replace(/\/+$/, "")}/trace/${traceId}`;
}
