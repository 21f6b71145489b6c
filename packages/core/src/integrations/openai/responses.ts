import { ATTR_GEN_AI_RESPONSE_ID } from "../../internal/semconv.js";
import type { ModelReplyFacts } from "../../llm/model-call.js";
import type { ToolCall } from "../../llm/types.js";
import type { SdkModelCall } from "../model-call.js";
import { type RecordedReply, replyOutput } from "../reply.js";
import {
  type Endpoint,
  type RequestBody,
  requestAttributes,
  type StreamFollower,
  toolNames,
  usageOf,
} from "./endpoint.js";

interface WireItem {
  type?: string;
  call_id?: string;
  id?: string;
  name?: string;
  arguments?: string;
  content?: Array<{ type?: string; text?: string; refusal?: string }>;
}

interface WireResponse {
  id?: string;
  model?: string;
  status?: string;
  output?: WireItem[];
  output_text?: string;
  usage?: unknown;
  incomplete_details?: { reason?: string } | null;
}

function textOf(response: WireResponse): string {
  if (typeof response.output_text === "string") return response.output_text;
  let text = "";
  for (const item of response.output ?? []) {
    if (item.type !== "message") continue;
    for (const part of item.content ?? []) if (part.type === "output_text") text += part.text ?? "";
  }
  return text;
}

/**
 * Why a response ended, in the words of Chat Completions (`stop`, `tool_calls`) so that both APIs
 * read alike; an incomplete response gives its reason (`max_output_tokens`, `content_filter`).
 */
function finishReason(response: WireResponse, toolCalls: ToolCall[]): string | undefined {
  switch (response.status) {
    case "completed":
      return toolCalls.length > 0 ? "tool_calls" : "stop";
    case "incomplete":
      return response.incomplete_details?.reason ?? "incomplete";
    default:
      return response.status;
  }
}

function replyOf(response: WireResponse): RecordedReply {
  const toolCalls: ToolCall[] = (response.output ?? [])
    .filter((item) => item.type === "function_call")
    .map((item, i) => ({
      id: item.call_id ?? item.id ?? `call_${i}`,
      name: item.name ?? "",
      arguments: item.arguments ?? "",
    }));
  const reason = finishReason(response, toolCalls);
  const facts: ModelReplyFacts = {
    model: typeof response.model === "string" ? response.model : undefined,
    finishReasons: reason === undefined ? [] : [reason],
    usage: usageOf(response.usage),
  };
  return {
    output: replyOutput(textOf(response), toolCalls, facts),
    facts,
    ...(typeof response.id === "string" ? { attributes: { [ATTR_GEN_AI_RESPONSE_ID]: response.id } } : {}),
  };
}

/** Reads the events of a streamed response: text deltas as tokens, the final response as the reply. */
class EventFollower implements StreamFollower {
  readonly #call: SdkModelCall;
  #text = "";
  #final: WireResponse | undefined;

  constructor(call: SdkModelCall) {
    this.#call = call;
  }

  piece(chunk: unknown): void {
    const event = chunk as { type?: string; delta?: unknown; response?: WireResponse } | null;
    if (typeof event !== "object" || event === null) return;
    if (event.type === "response.output_text.delta" && typeof event.delta === "string") {
      this.#text += event.delta;
      this.#call.token(event.delta);
    } else if (
      (event.type === "response.completed" ||
        event.type === "response.incomplete" ||
        event.type === "response.failed") &&
      typeof event.response === "object" &&
      event.response !== null
    ) {
      this.#final = event.response;
    }
  }

  reply(): RecordedReply {
    if (this.#final !== undefined) return replyOf({ output_text: this.#text, ...this.#final });
    return { output: replyOutput(this.#text, [], {}), facts: {} };
  }
}

/** `client.responses.create`: the instructions and input as input, the response's text and function calls as output. */
export const responses: Endpoint = {
  operation: "chat",

  request(body: RequestBody) {
    const input: Record<string, unknown> = {};
    if (body.instructions !== undefined && body.instructions !== null) input.instructions = body.instructions;
    input.input = body.input;
    const tools = toolNames(body.tools);
    if (tools !== undefined) input.tools = tools;
    return { input, attributes: requestAttributes(body, ["max_output_tokens"]) };
  },

  reply(data: unknown): RecordedReply {
    return replyOf((data ?? {}) as WireResponse);
  },

  follow(call: SdkModelCall): StreamFollower {
    return new EventFollower(call);
  },
};
