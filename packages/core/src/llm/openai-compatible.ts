import { describeValue, InvalidOptionsError, ModelError } from "../errors.js";
import { expectDuration } from "../nodes/option-checks.js";
import { checkOptionKeys } from "../option-keys.js";
import { displayEndpoint, type HttpSettings, postJson } from "./http.js";
import { sseData } from "./sse.js";
import type {
  Message,
  Model,
  ModelCallOptions,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  Price,
  ToolCall,
  Usage,
} from "./types.js";
import { checkPrice } from "./usage.js";

/** Options of `rt.openaiCompatible`. */
export interface OpenAICompatibleOptions {
  /** The model's name, sent as `model`. */
  model: string;
  /** Where `/chat/completions` lives, such as `https://api.openai.com/v1`. @default process.env.OPENAI_BASE_URL */
  baseURL?: string;
  /** Sent as `Authorization: Bearer …`; never recorded, never in an error. @default process.env.OPENAI_API_KEY */
  apiKey?: string;
  /** `gen_ai.provider.name` of the records. @default "openai" */
  provider?: string;
  /** One attempt fails after this long without an answer (for a stream: without a new chunk). @default 60000 */
  timeoutMs?: number;
  /** Retries of 408, 409, 429, 5xx, timeouts and network failures. @default 2 */
  maxRetries?: number;
  /** A server asking to wait longer than this (`Retry-After`) is not retried. @default 60000 */
  maxRetryDelayMs?: number;
  /** Price per million tokens: every model call then records `runtrace.cost_usd`. */
  price?: Price;
  /** Sent as `temperature` when set. */
  temperature?: number;
  /** Sent as `max_tokens` when set. */
  maxTokens?: number;
  /** Extra request headers (such as an organisation id). */
  headers?: Record<string, string>;
}

const OPTIONS = Object.keys({
  model: true,
  baseURL: true,
  apiKey: true,
  provider: true,
  timeoutMs: true,
  maxRetries: true,
  maxRetryDelayMs: true,
  price: true,
  temperature: true,
  maxTokens: true,
  headers: true,
} satisfies Record<keyof OpenAICompatibleOptions, true>);

function toWire(message: Message): Record<string, unknown> {
  switch (message.role) {
    case "assistant":
      return message.toolCalls && message.toolCalls.length > 0
        ? {
            role: "assistant",
            content: message.content === "" ? null : message.content,
            tool_calls: message.toolCalls.map((call) => ({
              id: call.id,
              type: "function",
              function: { name: call.name, arguments: call.arguments },
            })),
          }
        : { role: "assistant", content: message.content };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    default:
      return { role: message.role, content: message.content };
  }
}

function usageOf(raw: unknown): Usage | undefined {
  const usage = raw as { prompt_tokens?: unknown; completion_tokens?: unknown } | null | undefined;
  if (typeof usage?.prompt_tokens !== "number" && typeof usage?.completion_tokens !== "number")
    return undefined;
  return {
    inputTokens: typeof usage.prompt_tokens === "number" ? usage.prompt_tokens : 0,
    outputTokens: typeof usage.completion_tokens === "number" ? usage.completion_tokens : 0,
  };
}

interface WireToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

class OpenAICompatibleModel implements Model {
  readonly name: string;
  readonly provider: string;
  readonly price: Price | undefined;
  /** Where requests go (credentials and query removed). */
  readonly endpoint: string;
  // Private: the key must not show up when a model object is logged or recorded.
  readonly #http: HttpSettings;
  readonly #extra: Record<string, unknown>;

  constructor(options: OpenAICompatibleOptions) {
    const where = "rt.openaiCompatible";
    if (typeof options !== "object" || options === null) {
      throw new InvalidOptionsError(
        `${where} expected options { model, baseURL?, apiKey? }, got ${describeValue(options)}.`,
      );
    }
    checkOptionKeys(where, options, OPTIONS);
    if (typeof options.model !== "string" || options.model === "") {
      throw new InvalidOptionsError(
        `${where}: expected \`model\` to be a model name such as "gpt-4o-mini", got ${describeValue(options.model)}.`,
      );
    }
    const baseURL = options.baseURL ?? process.env.OPENAI_BASE_URL;
    if (typeof baseURL !== "string" || baseURL.trim() === "") {
      throw new InvalidOptionsError(
        `${where}: no base URL. Pass \`baseURL\` (such as "https://api.openai.com/v1") or set the OPENAI_BASE_URL environment variable.`,
      );
    }
    const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
    if (typeof apiKey !== "string" || apiKey === "") {
      throw new InvalidOptionsError(
        `${where}: no API key. Pass \`apiKey\` or set the OPENAI_API_KEY environment variable (a local server that needs none accepts any value).`,
      );
    }
    const timeoutMs = expectDuration(where, "timeoutMs", options.timeoutMs ?? 60_000, true);
    const maxRetries = options.maxRetries ?? 2;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new InvalidOptionsError(
        `${where}: expected \`maxRetries\` to be a whole number >= 0, got ${describeValue(maxRetries)}.`,
      );
    }
    const url = `${baseURL.trim().replace(/\/+$/, "")}/chat/completions`;
    this.name = options.model;
    this.provider = options.provider ?? "openai";
    this.price = checkPrice(where, options.price);
    this.endpoint = displayEndpoint(url);
    this.#http = {
      url,
      endpoint: this.endpoint,
      headers: { ...options.headers, authorization: `Bearer ${apiKey}` },
      secret: apiKey,
      timeoutMs,
      maxRetries,
      maxRetryDelayMs: expectDuration(where, "maxRetryDelayMs", options.maxRetryDelayMs ?? 60_000),
    };
    this.#extra = {};
    if (options.temperature !== undefined) this.#extra.temperature = options.temperature;
    if (options.maxTokens !== undefined) this.#extra.max_tokens = options.maxTokens;
  }

  #body(request: ModelRequest, stream: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model: this.name,
      messages: request.messages.map(toWire),
      ...this.#extra,
    };
    if (request.tools && request.tools.length > 0) {
      body.tools = request.tools.map((tool) => ({
        type: "function",
        function: { name: tool.name, description: tool.description, parameters: tool.parameters },
      }));
    }
    if (stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    return body;
  }

  #unreadable(detail: string, cause?: unknown): ModelError {
    return new ModelError(
      `Model reply from POST ${this.endpoint} could not be read: ${detail}. Is this an OpenAI-compatible Chat Completions endpoint?`,
      { endpoint: this.endpoint, cause },
    );
  }

  async complete(request: ModelRequest, options: ModelCallOptions = {}): Promise<ModelResponse> {
    const open = await postJson(this.#http, this.#body(request, false), options.signal, options.onRetry);
    let json: any;
    try {
      json = await open.response.json();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw this.#unreadable("the body is not JSON", error);
    } finally {
      open.finish();
    }
    const choice = json?.choices?.[0];
    if (choice === undefined || typeof choice.message !== "object")
      throw this.#unreadable("no `choices[0].message`");
    const message = choice.message as { content?: unknown; tool_calls?: WireToolCall[] };
    const toolCalls: ToolCall[] = (message.tool_calls ?? []).map((call, i) => ({
      id: call.id ?? `call_${i}`,
      name: call.function?.name ?? "",
      arguments: call.function?.arguments ?? "{}",
    }));
    const response: ModelResponse = {
      text: typeof message.content === "string" ? message.content : "",
      toolCalls,
      usage: usageOf(json.usage),
    };
    if (typeof choice.finish_reason === "string") response.finishReason = choice.finish_reason;
    if (typeof json.model === "string") response.model = json.model;
    return response;
  }

  async *stream(request: ModelRequest, options: ModelCallOptions = {}): AsyncGenerator<ModelStreamEvent> {
    const open = await postJson(this.#http, this.#body(request, true), options.signal, options.onRetry);
    const body = open.response.body;
    if (body === null) {
      open.finish();
      throw this.#unreadable("the response has no body");
    }
    let text = "";
    const calls: Array<{ id: string; name: string; arguments: string }> = [];
    let usage: Usage | undefined;
    let finishReason: string | undefined;
    let model: string | undefined;
    try {
      for await (const data of sseData(body, open.touch)) {
        if (data.trim() === "[DONE]") break;
        let chunk: any;
        try {
          chunk = JSON.parse(data);
        } catch (error) {
          throw this.#unreadable(`an event is not JSON (${JSON.stringify(data.slice(0, 80))})`, error);
        }
        if (chunk?.error) {
          const detail =
            typeof chunk.error.message === "string" ? chunk.error.message : JSON.stringify(chunk.error);
          throw new ModelError(
            `Model stream from POST ${this.endpoint} reported an error: ${detail.slice(0, 300)}`,
            {
              endpoint: this.endpoint,
            },
          );
        }
        if (typeof chunk?.model === "string") model = chunk.model;
        usage = usageOf(chunk?.usage) ?? usage;
        const choice = chunk?.choices?.[0];
        if (choice === undefined) continue;
        if (typeof choice.finish_reason === "string") finishReason = choice.finish_reason;
        const delta = choice.delta ?? {};
        if (typeof delta.content === "string" && delta.content !== "") {
          text += delta.content;
          yield { type: "text", text: delta.content };
        }
        for (const part of (delta.tool_calls ?? []) as WireToolCall[]) {
          const index = part.index ?? calls.length;
          calls[index] ??= { id: "", name: "", arguments: "" };
          const call = calls[index];
          if (part.id) call.id = part.id;
          if (part.function?.name) call.name += part.function.name;
          if (part.function?.arguments) call.arguments += part.function.arguments;
          const event: ModelStreamEvent = { type: "tool-call", index };
          if (part.id) event.id = part.id;
          if (part.function?.name) event.name = part.function.name;
          if (part.function?.arguments) event.arguments = part.function.arguments;
          yield event;
        }
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof ModelError) throw error;
      throw new ModelError(
        `Model stream from POST ${this.endpoint} broke off: ${error instanceof Error ? error.message : String(error)}`,
        { endpoint: this.endpoint, cause: error },
      );
    } finally {
      // Ends the request whichever way the stream stops: done, failed, or abandoned by its reader.
      open.finish();
    }
    const response: ModelResponse = {
      text,
      toolCalls: calls
        .filter((call) => call !== undefined)
        .map((call, i) => ({
          id: call.id || `call_${i}`,
          name: call.name,
          arguments: call.arguments || "{}",
        })),
      usage,
    };
    if (finishReason !== undefined) response.finishReason = finishReason;
    if (model !== undefined) response.model = model;
    yield { type: "done", response };
  }
}

/**
 * A model behind any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure OpenAI, vLLM,
 * Ollama, LM Studio, llama.cpp, ...), over `fetch`: tools, streaming, usage, timeouts, and retries
 * of 429 / 5xx that respect `Retry-After`. `baseURL` and `apiKey` default to `OPENAI_BASE_URL` and
 * `OPENAI_API_KEY`; the key is sent only in the `Authorization` header.
 *
 * @example
 * ```ts
 * const model = rt.openaiCompatible({ model: "gpt-4o-mini", price: { inputPerMillion: 0.15, outputPerMillion: 0.6 } });
 * const summarise = rt.llmNode({ name: "summarise", model, system: "Summarise in one sentence." });
 * ```
 */
export function openaiCompatible(options: OpenAICompatibleOptions): Model & { readonly endpoint: string } {
  return new OpenAICompatibleModel(options);
}
