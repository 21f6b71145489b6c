import { describeValue, InvalidOptionsError, ModelError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";
import { delay, estimateTokens } from "./delay.js";
import type {
  Model,
  ModelCallOptions,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  Price,
  Usage,
} from "./types.js";
import { checkPrice } from "./usage.js";

/** A tool call in a script. */
export interface ScriptedToolCall {
  name: string;
  /** An object (sent as JSON) or raw JSON text (to script a malformed call). @default {} */
  arguments?: Record<string, unknown> | string;
  /** @default "call_<request>_<n>" */
  id?: string;
}

/** One scripted reply in full. */
export interface ScriptedReplyObject {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Reported usage. @default estimated at 4 characters a token */
  usage?: Usage;
  /** Simulated latency before the reply (or its first token); honours the abort signal. */
  delayMs?: number;
  /** Pause between streamed tokens. */
  tokenDelayMs?: number;
  /** Make this request fail with a `ModelError` with this message. */
  error?: string;
}

/**
 * A scripted reply: its text, a full reply, or a function of the request (and its index) giving
 * either, for replies that depend on what the model is asked (tool results, the system prompt).
 */
export type ScriptedReply =
  | string
  | ScriptedReplyObject
  | ((request: ModelRequest, index: number) => string | ScriptedReplyObject);

/** Options of `rt.scriptedModel`. */
export interface ScriptedModelOptions {
  /** `gen_ai.request.model` of the records. @default "scripted" */
  name?: string;
  /** @default "scripted" */
  provider?: string;
  /** Default simulated latency of every reply. @default 0 */
  delayMs?: number;
  /** Default pause between streamed tokens. @default 0 */
  tokenDelayMs?: number;
  /** Price per million tokens, to show cost recording offline. */
  price?: Price;
  /** Start over at the first reply when the script runs out, instead of failing. @default false */
  loop?: boolean;
}

/** A model that replies from a script: deterministic, offline, for demos and tests. */
export interface ScriptedModel extends Model {
  /** Every request received, in order (copies, safe to inspect later). */
  readonly requests: readonly ModelRequest[];
  /** Replies not used yet. */
  readonly remaining: number;
}

const OPTIONS = Object.keys({
  name: true,
  provider: true,
  delayMs: true,
  tokenDelayMs: true,
  price: true,
  loop: true,
} satisfies Record<keyof ScriptedModelOptions, true>);

const REPLY_KEYS = Object.keys({
  text: true,
  toolCalls: true,
  usage: true,
  delayMs: true,
  tokenDelayMs: true,
  error: true,
} satisfies Record<keyof ScriptedReplyObject, true>);

const TOOL_CALL_KEYS = Object.keys({ name: true, arguments: true, id: true } satisfies Record<
  keyof ScriptedToolCall,
  true
>);

/** Checks the field names of a reply object (and of its tool calls): a typo would go unnoticed. */
function checkReply(where: string, reply: ScriptedReplyObject): void {
  checkOptionKeys(where, reply, REPLY_KEYS);
  if (reply.toolCalls === undefined) return;
  if (!Array.isArray(reply.toolCalls)) {
    throw new InvalidOptionsError(
      `${where}: expected \`toolCalls\` to be an array of { name, arguments?, id? }, got ${describeValue(reply.toolCalls)}.`,
    );
  }
  reply.toolCalls.forEach((call, i) => {
    if (typeof call !== "object" || call === null || typeof call.name !== "string") {
      throw new InvalidOptionsError(
        `${where}: expected \`toolCalls[${i}]\` to be { name, arguments?, id? } with a string name, got ${describeValue(call)}.`,
      );
    }
    checkOptionKeys(where, call, TOOL_CALL_KEYS, `toolCalls[${i}]`);
  });
}

function words(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === "" ? [] : [text]);
}

class Scripted implements ScriptedModel {
  readonly name: string;
  readonly provider: string;
  readonly price: Price | undefined;
  readonly requests: ModelRequest[] = [];
  readonly #replies: readonly ScriptedReply[];
  readonly #options: ScriptedModelOptions;
  #next = 0;

  constructor(replies: readonly ScriptedReply[], options: ScriptedModelOptions) {
    const where = "rt.scriptedModel";
    if (!Array.isArray(replies)) {
      throw new InvalidOptionsError(
        `${where} expected an array of replies (strings, { text, toolCalls, usage, delayMs } objects or functions of the request), got ${describeValue(replies)}.`,
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new InvalidOptionsError(
        `${where} expected options { name?, provider?, delayMs?, tokenDelayMs?, price?, loop? }, got ${describeValue(options)}.`,
      );
    }
    checkOptionKeys(where, options, OPTIONS);
    replies.forEach((reply, i) => {
      if (
        typeof reply !== "string" &&
        typeof reply !== "function" &&
        (typeof reply !== "object" || reply === null)
      ) {
        throw new InvalidOptionsError(
          `${where}: expected reply ${i} to be a string, an object or a function, got ${describeValue(reply)}.`,
        );
      }
      if (typeof reply === "object") checkReply(`${where}: reply ${i}`, reply);
    });
    this.name = options.name ?? "scripted";
    this.provider = options.provider ?? "scripted";
    this.price = checkPrice(where, options.price);
    this.#replies = replies;
    this.#options = options;
  }

  get remaining(): number {
    return this.#options.loop ? Number.POSITIVE_INFINITY : this.#replies.length - this.#next;
  }

  /** Takes the next reply, synchronously: requests started together get replies in start order. */
  #take(request: ModelRequest): { reply: ScriptedReplyObject; index: number } {
    const index = this.requests.length;
    this.requests.push(structuredClone(request));
    if (this.#next >= this.#replies.length) {
      if (this.#options.loop && this.#replies.length > 0) this.#next = 0;
      else
        throw new ModelError(
          `Scripted model "${this.name}" has no reply left for request ${index + 1}: its script has ${this.#replies.length} repl${this.#replies.length === 1 ? "y" : "ies"}. Add replies to rt.scriptedModel([...]), or pass { loop: true }.`,
          { endpoint: `scripted:${this.name}` },
        );
    }
    const entry = this.#replies[this.#next++]!;
    if (typeof entry !== "function")
      return { reply: typeof entry === "string" ? { text: entry } : entry, index };
    const value = entry(request, index);
    if (typeof value === "string") return { reply: { text: value }, index };
    if (typeof value !== "object" || value === null) {
      throw new InvalidOptionsError(
        `Scripted model "${this.name}": the reply function for request ${index + 1} returned ${describeValue(value)}; expected a string or { text?, toolCalls?, usage?, delayMs?, tokenDelayMs?, error? }.`,
      );
    }
    checkReply(`Scripted model "${this.name}": the reply for request ${index + 1}`, value);
    return { reply: value, index };
  }

  #response(reply: ScriptedReplyObject, index: number, request: ModelRequest): ModelResponse {
    if (reply.error !== undefined) {
      throw new ModelError(`Scripted model "${this.name}": ${reply.error}`, {
        endpoint: `scripted:${this.name}`,
      });
    }
    const text = reply.text ?? "";
    const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
      id: call.id ?? `call_${index + 1}_${i + 1}`,
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {}),
    }));
    const prompt = request.messages.map((m) => m.content).join("\n");
    const usage = reply.usage ?? {
      inputTokens: estimateTokens(prompt),
      outputTokens: estimateTokens(text) + toolCalls.reduce((n, c) => n + estimateTokens(c.arguments), 0),
    };
    return {
      text,
      toolCalls,
      usage,
      finishReason: toolCalls.length > 0 ? "tool_calls" : "stop",
      model: this.name,
    };
  }

  async complete(request: ModelRequest, options: ModelCallOptions = {}): Promise<ModelResponse> {
    const { reply, index } = this.#take(request);
    await delay(reply.delayMs ?? this.#options.delayMs ?? 0, options.signal);
    return this.#response(reply, index, request);
  }

  async *stream(request: ModelRequest, options: ModelCallOptions = {}): AsyncGenerator<ModelStreamEvent> {
    const { reply, index } = this.#take(request);
    await delay(reply.delayMs ?? this.#options.delayMs ?? 0, options.signal);
    const response = this.#response(reply, index, request);
    const pause = reply.tokenDelayMs ?? this.#options.tokenDelayMs ?? 0;
    let first = true;
    for (const token of words(response.text)) {
      if (!first && pause > 0) await delay(pause, options.signal);
      else if (options.signal?.aborted) throw options.signal.reason;
      first = false;
      yield { type: "text", text: token };
    }
    for (const [i, call] of response.toolCalls.entries()) {
      yield { type: "tool-call", index: i, id: call.id, name: call.name, arguments: call.arguments };
    }
    yield { type: "done", response };
  }
}

/**
 * A model that answers from a script, in order: deterministic replies, tool calls, usage and
 * simulated latency (honouring cancellation), with no network. Runs out with a clear `ModelError`.
 *
 * @example
 * ```ts
 * const model = rt.scriptedModel([
 *   { toolCalls: [{ name: "weather", arguments: { city: "Oslo" } }, { name: "weather", arguments: { city: "Rome" } }] },
 *   { text: "Oslo is colder than Rome today.", delayMs: 50 },
 * ]);
 * ```
 */
export function scriptedModel(
  replies: readonly ScriptedReply[],
  options: ScriptedModelOptions = {},
): ScriptedModel {
  return new Scripted(replies, options);
}
