import { ModelError } from "../errors.js";
import { delay } from "./delay.js";
import type { RetryInfo } from "./types.js";

/** How one client sends requests: where, with which key, how patiently. */
export interface HttpSettings {
  /** Full URL of the endpoint. */
  url: string;
  /** The URL as shown in errors and records: no credentials, no query string. */
  endpoint: string;
  headers: Record<string, string>;
  /** The API key, kept only to scrub it from anything the server echoes back. */
  secret: string;
  timeoutMs: number;
  maxRetries: number;
  maxRetryDelayMs: number;
}

/** A response with status 2xx, still guarded by the request's timer until `finish` is called. */
export interface OpenResponse {
  response: Response;
  /** Restarts the timeout: a streamed reply that keeps sending is not timed out. */
  touch(): void;
  /** Stops the timer and unlinks the caller's signal; aborts the request if still open. */
  finish(): void;
}

const EXCERPT_CHARS = 300;
const RETRY_STATUS = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

/** The endpoint without credentials or query, safe to put in an error or a record. */
export function displayEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    parsed.hash = "";
    return parsed.toString();
  } catch {
    return url.replace(/\?.*$/, "");
  }
}

/** The start of a response body, one line, with the key removed wherever the server echoed it. */
export function excerpt(body: string, secret: string): string {
  let text = body;
  if (secret.length >= 4) text = text.split(secret).join("[redacted]");
  text = text.replace(/\s+/g, " ").trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

/**
 * How long a `Retry-After` (seconds or an HTTP date) or `retry-after-ms` header asks to wait, in
 * milliseconds; `undefined` when the response gives neither or they cannot be read.
 */
export function retryAfterMs(headers: Headers, nowMs = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms.trim());
  const value = headers.get("retry-after")?.trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function backoffMs(attempt: number): number {
  const base = Math.min(500 * 2 ** (attempt - 1), 8000);
  return base / 2 + Math.random() * (base / 2);
}

function hint(status: number, settings: HttpSettings): string {
  if (status === 401 || status === 403)
    return " Check the API key (the `apiKey` option or OPENAI_API_KEY) and its permissions.";
  if (status === 404)
    return " Check `baseURL` (or OPENAI_BASE_URL): it should end where `/chat/completions` is appended, such as https://api.openai.com/v1, and check the model name.";
  if (status === 429) return ` Rate limited; retried ${settings.maxRetries} time(s) (maxRetries).`;
  return "";
}

class TimedOut {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
}

/**
 * POSTs `body` as JSON and resolves with a 2xx response. Retries 408, 409, 429, 5xx, timeouts and
 * network failures up to `maxRetries` times, waiting what `Retry-After` asks (or an exponential
 * backoff), and tells `onRetry` before each wait. Aborting `signal` rejects with its reason.
 */
export async function postJson(
  settings: HttpSettings,
  body: unknown,
  signal: AbortSignal | undefined,
  onRetry: ((info: RetryInfo) => void) | undefined,
): Promise<OpenResponse> {
  const payload = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw signal.reason;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new TimedOut(settings.timeoutMs)), settings.timeoutMs);
    };
    const onAbort = () => controller.abort(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const finish = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      signal?.removeEventListener("abort", onAbort);
      if (!controller.signal.aborted) controller.abort(new Error("request finished"));
    };
    touch();
    let failure: ModelError;
    let retryAfter: number | undefined;
    try {
      const response = await fetch(settings.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...settings.headers },
        body: payload,
        signal: controller.signal,
      });
      if (response.ok) return { response, touch, finish };
      const text = await response.text().catch(() => "");
      retryAfter = retryAfterMs(response.headers);
      const shown = excerpt(text, settings.secret);
      const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
      const willRetry = RETRY_STATUS(response.status) && attempt <= settings.maxRetries;
      failure = new ModelError(
        `Model request to POST ${settings.endpoint} failed with ${status}${shown ? `: ${shown}` : ""}.${willRetry ? "" : hint(response.status, settings)}`,
        { endpoint: settings.endpoint, status: response.status, body: shown, retryAfterMs: retryAfter },
      );
      finish();
      if (!RETRY_STATUS(response.status)) throw failure;
    } catch (error) {
      finish();
      if (error instanceof ModelError) throw error;
      if (signal?.aborted) throw signal.reason;
      const reason = controller.signal.reason;
      failure =
        reason instanceof TimedOut
          ? new ModelError(
              `Model request to POST ${settings.endpoint} timed out after ${reason.ms} ms (timeoutMs). Raise timeoutMs, or check that the server answers.`,
              { endpoint: settings.endpoint },
            )
          : new ModelError(
              `Model request to POST ${settings.endpoint} could not be sent: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}. Check baseURL (or OPENAI_BASE_URL) and that the server is up.`,
              { endpoint: settings.endpoint, cause: error },
            );
    }
    if (attempt > settings.maxRetries) throw failure;
    const wait = retryAfter ?? backoffMs(attempt);
    if (wait > settings.maxRetryDelayMs) throw failure;
    onRetry?.({
      attempt,
      delayMs: Math.round(wait),
      ...(failure.status === undefined ? {} : { status: failure.status }),
      error: failure.message,
    });
    await delay(wait, signal);
  }
}
