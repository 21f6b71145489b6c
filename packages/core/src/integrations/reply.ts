import { CancelledError } from "../errors.js";
import type { ModelReplyFacts } from "../llm/model-call.js";
import type { ToolCall } from "../llm/types.js";

/** What a complete reply puts on its call: the recorded output, and the facts of the GenAI attributes. */
export interface RecordedReply {
  output: unknown;
  facts: ModelReplyFacts;
  /** More attributes (`gen_ai.response.id`). */
  attributes?: Record<string, unknown>;
}

/**
 * A model reply's output as runtrace's own model calls record it (the shape of `ModelResponse`):
 * text, tool calls, usage, finish reason and model, so that every model call reads alike.
 */
export function replyOutput(
  text: string,
  toolCalls: ToolCall[],
  facts: ModelReplyFacts,
  extra?: Record<string, unknown>,
): Record<string, unknown> {
  const output: Record<string, unknown> = { text, toolCalls, usage: facts.usage };
  const finishReason = facts.finishReasons?.[0];
  if (finishReason !== undefined) output.finishReason = finishReason;
  if (facts.model !== undefined) output.model = facts.model;
  return extra === undefined ? output : { ...output, ...extra };
}

/** Runs `fn` for its effect on the record: a failure to record must never reach the caller. */
export function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // Recording is best effort; the request and the caller's result are what matter.
  }
}

/** The reply `read` makes of what arrived, or `undefined` where reading it fails. */
export function readReply(read: () => RecordedReply): RecordedReply | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** What a streamed call records when its reader stops before the end. */
export function stoppedReading(reason?: unknown): CancelledError {
  return new CancelledError("The reader stopped before the end of the stream", reason);
}

/** What a call records when its request was aborted (by the caller's signal, or the call's). */
export function abortedRequest(reason: unknown): CancelledError {
  return new CancelledError("The request was aborted", reason);
}

/**
 * `options` with `signal` also following the call's `callSignal` (under `key`): when a call above
 * times out or the session is cancelled, the request is aborted, as runtrace's own requests are.
 */
export function withSignal<T>(
  options: T,
  key: string,
  callSignal: AbortSignal,
): { options: T; signal: AbortSignal } {
  const own =
    typeof options === "object" && options !== null ? (options as Record<string, unknown>)[key] : undefined;
  const signal = own instanceof AbortSignal ? AbortSignal.any([own, callSignal]) : callSignal;
  return {
    options: { ...(typeof options === "object" && options !== null ? options : {}), [key]: signal } as T,
    signal,
  };
}
