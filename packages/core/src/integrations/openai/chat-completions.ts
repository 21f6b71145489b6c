import { ATTR_GEN_AI_RESPONSE_ID } from "../../internal/semconv.js";
import type { ModelReplyFacts } from "../../llm/model-call.js";
import type { ToolCall, Usage } from "../../llm/types.js";
import type { SdkModelCall } from "../model-call.js";
import { type RecordedReply, replyOutput } from "../reply.js";
import {
  type Endpoint,
  type RequestBody,
  requestAttributes,
  type StreamFollower,
  stringOr,
  toolNames,
  usageOf,
} from "./endpoint.js";

interface WireToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
  custom?: { name?: string; input?: string };
}

interface WireChoice {
  index?: number;
  finish_reason?: string | null;
  message?: { content?: unknown; refusal?: unknown; tool_calls?: WireToolCall[] };
  delta?: { content?: unknown; refusal?: unknown; tool_calls?: WireToolCall[] };
}

interface WireCompletion {
  id?: string;
  model?: string;
  choices?: WireChoice[];
  usage?: unknown;
}

function toolCallOf(call: WireToolCall, i: number): ToolCall {
  return {
    id: call.id ?? `call_${i}`,
    name: call.function?.name ?? call.custom?.name ?? "",
    arguments: call.function?.arguments ?? call.custom?.input ?? "",
  };
}

function recorded(
  id: string | undefined,
  facts: ModelReplyFacts,
  text: string,
  toolCalls: ToolCall[],
  refusal: unknown,
): RecordedReply {
  const extra = typeof refusal === "string" && refusal !== "" ? { refusal } : undefined;
  return {
    output: replyOutput(text, toolCalls, facts, extra),
    facts,
    ...(id === undefined ? {} : { attributes: { [ATTR_GEN_AI_RESPONSE_ID]: id } }),
  };
}

/** Reads the chunks of a streamed completion: the first choice's text and tool calls, every choice's finish reason. */
class ChunkFollower implements StreamFollower {
  readonly #call: SdkModelCall;
  #text = "";
  #refusal = "";
  readonly #toolCalls: WireToolCall[] = [];
  readonly #finishReasons: string[] = [];
  #usage: Usage | undefined;
  #model: string | undefined;
  #id: string | undefined;

  constructor(call: SdkModelCall) {
    this.#call = call;
  }

  piece(chunk: unknown): void {
    const completion = chunk as WireCompletion | null;
    if (typeof completion !== "object" || completion === null) return;
    if (typeof completion.model === "string") this.#model = completion.model;
    if (typeof completion.id === "string") this.#id = completion.id;
    this.#usage = usageOf(completion.usage) ?? this.#usage;
    for (const choice of completion.choices ?? []) {
      const index = choice.index ?? 0;
      if (typeof choice.finish_reason === "string") this.#finishReasons[index] = choice.finish_reason;
      // The first choice is the reply; other choices (`n` > 1) show only in the finish reasons.
      if (index !== 0) continue;
      const delta = choice.delta ?? {};
      if (typeof delta.content === "string" && delta.content !== "") {
        this.#text += delta.content;
        this.#call.token(delta.content);
      }
      if (typeof delta.refusal === "string") this.#refusal += delta.refusal;
      for (const part of delta.tool_calls ?? []) {
        const at = part.index ?? this.#toolCalls.length;
        this.#toolCalls[at] ??= { function: { name: "", arguments: "" } };
        const call = this.#toolCalls[at];
        const fn = call.function!;
        if (part.id) call.id = part.id;
        if (part.function?.name) fn.name += part.function.name;
        if (part.function?.arguments) fn.arguments += part.function.arguments;
      }
    }
  }

  reply(): RecordedReply {
    const facts: ModelReplyFacts = {
      model: this.#model,
      finishReasons: this.#finishReasons.filter((reason) => reason !== undefined),
      usage: this.#usage,
    };
    const toolCalls = this.#toolCalls.filter((call) => call !== undefined).map(toolCallOf);
    return recorded(this.#id, facts, this.#text, toolCalls, this.#refusal);
  }
}

/** `client.chat.completions.create`: the messages as input, the first choice's message as output. */
export const chatCompletions: Endpoint = {
  operation: "chat",

  request(body: RequestBody) {
    const input: Record<string, unknown> = { messages: body.messages };
    const tools = toolNames(body.tools);
    if (tools !== undefined) input.tools = tools;
    return { input, attributes: requestAttributes(body, ["max_completion_tokens", "max_tokens"]) };
  },

  reply(data: unknown): RecordedReply {
    const completion = (data ?? {}) as WireCompletion;
    const choices = completion.choices ?? [];
    const message = choices[0]?.message ?? {};
    const facts: ModelReplyFacts = {
      model: typeof completion.model === "string" ? completion.model : undefined,
      finishReasons: choices
        .map((choice) => choice.finish_reason)
        .filter((reason): reason is string => typeof reason === "string"),
      usage: usageOf(completion.usage),
    };
    const toolCalls = (message.tool_calls ?? []).map(toolCallOf);
    return recorded(completion.id, facts, stringOr(message.content, ""), toolCalls, message.refusal);
  },

  follow(call: SdkModelCall): StreamFollower {
    return new ChunkFollower(call);
  },
};
