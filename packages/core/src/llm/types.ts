import type { ToolSchema } from "../nodes/node.js";

/** One tool call the model asked for. */
export interface ToolCall {
  /** The id the model gave it; the tool's result answers this id. */
  id: string;
  /** The tool's name, as in its schema. */
  name: string;
  /** The arguments as the model wrote them: a JSON object, as text. */
  arguments: string;
}

/** One message of a conversation with a model. */
export type Message =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; name?: string; content: string };

/** Tokens a request used. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Price per million tokens, in US dollars; when set, every model call records `runtrace.cost_usd`. */
export interface Price {
  inputPerMillion: number;
  outputPerMillion: number;
}

/** What a model is asked. */
export interface ModelRequest {
  messages: Message[];
  /** Tools the model may call (`node.toolSchema()` of each). */
  tools?: ToolSchema[];
}

/** A model's complete reply. */
export interface ModelResponse {
  /** The text of the reply (empty when the model only asked for tools). */
  text: string;
  /** Tool calls, in the order the model gave them. */
  toolCalls: ToolCall[];
  usage: Usage | undefined;
  /** Why the model stopped (`stop`, `tool_calls`, `length`, ...), when it said. */
  finishReason?: string;
  /** The model that answered, when the server named it. */
  model?: string;
}

/** One piece of a streamed reply. The last one is always `done`, with the whole reply assembled. */
export type ModelStreamEvent =
  | { type: "text"; text: string }
  | { type: "tool-call"; index: number; id?: string; name?: string; arguments?: string }
  | { type: "done"; response: ModelResponse };

/** A failed attempt that the client is about to retry. */
export interface RetryInfo {
  /** The attempt that failed: 1 for the first request. */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** The HTTP status of the failed attempt, when there was one. */
  status?: number;
  /** What went wrong. */
  error: string;
}

/** Per-request options a model receives from the node running it. */
export interface ModelCallOptions {
  /** Aborts the request (the call's `rt.signal()`). */
  signal?: AbortSignal;
  /** Told about each retry before the client waits for it. */
  onRetry?: (info: RetryInfo) => void;
}

/**
 * A chat model: `rt.openaiCompatible(...)`, `rt.scriptedModel(...)`, or your own object with these
 * members.
 */
export interface Model {
  /** The model's name, as sent to the provider (`gen_ai.request.model`). */
  readonly name: string;
  /** Who serves it (`gen_ai.provider.name`): `"openai"`, `"scripted"`, ... */
  readonly provider: string;
  /** Price per million tokens, for cost recording. */
  readonly price?: Price | undefined;
  /** Sends one request and resolves with the whole reply. */
  complete(request: ModelRequest, options?: ModelCallOptions): Promise<ModelResponse>;
  /** Sends one request and yields the reply as it arrives, ending with a `done` event. */
  stream(request: ModelRequest, options?: ModelCallOptions): AsyncIterable<ModelStreamEvent>;
}
