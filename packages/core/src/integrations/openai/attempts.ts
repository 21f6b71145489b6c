import { now } from "../../internal/clock.js";
import { textOf } from "../../internal/safe.js";
import type { RetryInfo } from "../../llm/types.js";
import { currentFrame, type Frame } from "../../runtime/frame.js";
import type { SdkModelCall } from "../model-call.js";

/** The HTTP attempts of one recorded request: each failed attempt the client retries is a `retry` event. */
class AttemptLog {
  readonly #call: SdkModelCall;
  #attempts = 0;
  #failure: { at: number; status: number | undefined; error: string } | undefined;

  constructor(call: SdkModelCall) {
    this.#call = call;
  }

  /**
   * An attempt starts. The client retries only after a failure, so a failure followed by another
   * attempt was retried: that is when it is recorded, with the time the client waited.
   */
  begin(): void {
    const failure = this.#failure;
    if (failure !== undefined) {
      const info: RetryInfo = {
        attempt: this.#attempts,
        delayMs: Math.round(now() - failure.at),
        error: failure.error,
      };
      if (failure.status !== undefined) info.status = failure.status;
      this.#call.recorder.retried(info);
      this.#failure = undefined;
    }
    this.#attempts++;
  }

  failed(error: string, status?: number): void {
    this.#failure = { at: now(), status, error };
  }
}

// By the frame of the recorded call: the client's requests run in it.
const logs = new WeakMap<Frame, AttemptLog>();

/** Counts the HTTP attempts of the request `call` is about to send. */
export function countAttempts(call: SdkModelCall): void {
  logs.set(call.frame, new AttemptLog(call));
}

type FetchWithTimeout = (...args: unknown[]) => Promise<Response>;
const WATCHED = Symbol.for("runtrace.openai.attempts");

/**
 * Watches each HTTP attempt of `client` (its `fetchWithTimeout`, called once per attempt, retries
 * included). Requests the integration does not record pass straight through.
 */
export function watchAttempts(client: object): void {
  const target = client as { fetchWithTimeout?: FetchWithTimeout & { [WATCHED]?: true } };
  const send = target.fetchWithTimeout;
  if (typeof send !== "function" || send[WATCHED]) return;
  const watched = async function (this: unknown, ...args: unknown[]): Promise<Response> {
    const frame = currentFrame();
    const log = frame === undefined ? undefined : logs.get(frame);
    if (log === undefined) return send.apply(this, args);
    log.begin();
    let response: Response;
    try {
      response = await send.apply(this, args);
    } catch (error) {
      log.failed(textOf(error));
      throw error;
    }
    if (!response.ok)
      log.failed(
        `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
        response.status,
      );
    return response;
  } as FetchWithTimeout & { [WATCHED]?: true };
  watched[WATCHED] = true;
  Object.defineProperty(client, "fetchWithTimeout", { value: watched, configurable: true, writable: true });
}
