import { ATTR_GEN_AI_REQUEST_MAX_TOKENS, ATTR_GEN_AI_REQUEST_TEMPERATURE } from "../../internal/semconv.js";
import type { Usage } from "../../llm/types.js";
import type { SdkModelCall } from "../model-call.js";
import type { RecordedReply } from "../reply.js";

/** A request body as the `openai` client receives it. The integration reads it, never changes it. */
export type RequestBody = Record<string, unknown>;

/** Follows a streamed reply, piece by piece, and tells the reply once the stream has ended. */
export interface StreamFollower {
  piece(chunk: unknown): void;
  reply(): RecordedReply;
}

/** How one endpoint of the `openai` client is recorded. */
export interface Endpoint {
  readonly operation: "chat" | "embeddings";
  /** The call's input and request attributes. */
  request(body: RequestBody): { input: unknown; attributes: Record<string, unknown> };
  /** What a whole (not streamed) reply records. */
  reply(data: unknown): RecordedReply;
  /** A follower for a streamed reply; its text goes to `call` as `token` events. */
  follow(call: SdkModelCall): StreamFollower;
}

/** Token counts in either of OpenAI's spellings (`prompt_tokens` or `input_tokens`, ...). */
export function usageOf(raw: unknown): Usage | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const usage = raw as Record<string, unknown>;
  const input = usage.prompt_tokens ?? usage.input_tokens;
  const output = usage.completion_tokens ?? usage.output_tokens;
  if (typeof input !== "number" && typeof output !== "number") return undefined;
  return {
    inputTokens: typeof input === "number" ? input : 0,
    outputTokens: typeof output === "number" ? output : 0,
  };
}

/** The names of the tools a request offers (their definitions would repeat on every call). */
export function toolNames(tools: unknown): string[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return tools.map((tool) => {
    const t = tool as {
      type?: unknown;
      name?: unknown;
      function?: { name?: unknown };
      custom?: { name?: unknown };
    };
    const name = t?.function?.name ?? t?.custom?.name ?? t?.name ?? t?.type;
    return typeof name === "string" ? name : "?";
  });
}

/** The sampling settings of a request that the GenAI conventions name. */
export function requestAttributes(
  body: RequestBody,
  maxTokensKeys: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof body.temperature === "number") out[ATTR_GEN_AI_REQUEST_TEMPERATURE] = body.temperature;
  for (const key of maxTokensKeys) {
    if (typeof body[key] === "number") {
      out[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = body[key];
      break;
    }
  }
  return out;
}

export function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}
