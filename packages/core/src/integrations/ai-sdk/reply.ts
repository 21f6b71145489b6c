import {
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_ID,
} from "../../internal/semconv.js";
import type { ModelReplyFacts } from "../../llm/model-call.js";
import type { ToolCall, Usage } from "../../llm/types.js";
import type { ModelRequestFacts, SdkModelCall } from "../model-call.js";
import { type RecordedReply, replyOutput } from "../reply.js";
import type { CallOptions, GenerateResult, LanguageModel, StreamPart } from "./types.js";

/** `openai.chat` → `openai`: the GenAI provider name is the provider id's first part. */
function providerName(provider: string): string {
  const dot = provider.indexOf(".");
  return dot > 0 ? provider.slice(0, dot) : provider;
}

/** The call's input (the prompt's messages, the tools by name) and its request attributes. */
export function requestFacts(params: CallOptions, model: LanguageModel): ModelRequestFacts {
  const input: Record<string, unknown> = { messages: params.prompt };
  const tools = params.tools?.map((tool) => tool.name);
  if (tools !== undefined && tools.length > 0) input.tools = tools;
  if (params.responseFormat?.type === "json") input.responseFormat = params.responseFormat;
  const attributes: Record<string, unknown> = {};
  if (typeof params.temperature === "number")
    attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = params.temperature;
  if (typeof params.maxOutputTokens === "number")
    attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = params.maxOutputTokens;
  return {
    operation: "chat",
    model: model.modelId,
    provider: providerName(model.provider),
    input,
    attributes,
  };
}

type UsageReport = GenerateResult["usage"];
type FinishReport = GenerateResult["finishReason"];

/** Token counts of a V3 usage report (`{ inputTokens: { total } }`), or of an older flat one. */
function usageOf(usage: UsageReport | undefined): Usage | undefined {
  if (usage === undefined || usage === null) return undefined;
  const count = (value: unknown): number | undefined =>
    typeof value === "number"
      ? value
      : typeof value === "object" && value !== null
        ? count((value as { total?: unknown }).total)
        : undefined;
  const input = count(usage.inputTokens);
  const output = count(usage.outputTokens);
  if (input === undefined && output === undefined) return undefined;
  return { inputTokens: input ?? 0, outputTokens: output ?? 0 };
}

/** The provider's own finish reason (`tool_calls`), else the AI SDK's (`tool-calls`). */
function finishReasonOf(reason: FinishReport | undefined): string | undefined {
  if (typeof reason === "string") return reason;
  if (typeof reason !== "object" || reason === null) return undefined;
  return reason.raw ?? reason.unified;
}

function recorded(
  text: string,
  reasoning: string,
  toolCalls: ToolCall[],
  facts: ModelReplyFacts,
  id: string | undefined,
): RecordedReply {
  return {
    output: replyOutput(text, toolCalls, facts, reasoning === "" ? undefined : { reasoning }),
    facts,
    ...(id === undefined ? {} : { attributes: { [ATTR_GEN_AI_RESPONSE_ID]: id } }),
  };
}

function factsOf(
  usage: UsageReport | undefined,
  finish: FinishReport | undefined,
  model: string | undefined,
): ModelReplyFacts {
  const reason = finishReasonOf(finish);
  return { usage: usageOf(usage), finishReasons: reason === undefined ? [] : [reason], model };
}

/** What `doGenerate`'s result records: text, reasoning, tool calls, usage, finish reason, model. */
export function generatedReply(result: GenerateResult): RecordedReply {
  let text = "";
  let reasoning = "";
  const toolCalls: ToolCall[] = [];
  for (const part of result.content ?? []) {
    if (part.type === "text") text += part.text;
    else if (part.type === "reasoning") reasoning += part.text;
    else if (part.type === "tool-call")
      toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: part.input });
  }
  const facts = factsOf(result.usage, result.finishReason, result.response?.modelId);
  return recorded(text, reasoning, toolCalls, facts, result.response?.id);
}

/** Reads the parts of a `doStream` stream: text deltas as tokens, tool calls, the finish part. */
export class PartFollower {
  readonly #call: SdkModelCall;
  #text = "";
  #reasoning = "";
  readonly #toolCalls: ToolCall[] = [];
  #finish: Extract<StreamPart, { type: "finish" }> | undefined;
  #model: string | undefined;
  #id: string | undefined;
  /** The error an `error` part reported, if one did. */
  error: { value: unknown } | undefined;

  constructor(call: SdkModelCall) {
    this.#call = call;
  }

  piece(part: StreamPart): void {
    switch (part.type) {
      case "text-delta":
        this.#text += part.delta;
        this.#call.token(part.delta);
        break;
      case "reasoning-delta":
        this.#reasoning += part.delta;
        break;
      case "tool-call":
        this.#toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: part.input });
        break;
      case "response-metadata":
        this.#model = part.modelId ?? this.#model;
        this.#id = part.id ?? this.#id;
        break;
      case "finish":
        this.#finish = part;
        break;
      case "error":
        this.error ??= { value: part.error };
        break;
    }
  }

  reply(): RecordedReply {
    const facts = factsOf(this.#finish?.usage, this.#finish?.finishReason, this.#model);
    return recorded(this.#text, this.#reasoning, this.#toolCalls, facts, this.#id);
  }
}
