import type { LanguageModelMiddleware } from "ai";
import { describeValue, InvalidOptionsError } from "../../errors.js";
import type { Price } from "../../llm/types.js";
import { checkPrice } from "../../llm/usage.js";
import { checkOptionKeys } from "../../option-keys.js";
import { type ModelRequestFacts, type PriceTable, type SdkModelCall, startModelCall } from "../model-call.js";
import { abortedRequest, quietly, readReply, stoppedReading, withSignal } from "../reply.js";
import { generatedReply, PartFollower, requestFacts } from "./reply.js";
import type { CallOptions, GenerateResult, LanguageModel, StreamPart, StreamResult } from "./types.js";

/** Options of `runtraceMiddleware`. */
export interface RuntraceMiddlewareOptions {
  /**
   * Price per million tokens by model id (the id asked for, else the one that answered): each call
   * then records `runtrace.cost_usd`, summed on the agents above and the session.
   */
  prices?: Record<string, Price>;
}

const OPTIONS = Object.keys({ prices: true } satisfies Record<keyof RuntraceMiddlewareOptions, true>);

function pricesOf(options: RuntraceMiddlewareOptions): PriceTable | undefined {
  const where = "runtraceMiddleware";
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(`${where} expected options { prices? }, got ${describeValue(options)}.`);
  }
  checkOptionKeys(where, options, OPTIONS);
  if (options.prices === undefined) return undefined;
  if (typeof options.prices !== "object" || options.prices === null) {
    throw new InvalidOptionsError(
      `${where}: expected \`prices\` to be { [modelId]: { inputPerMillion, outputPerMillion } }, got ${describeValue(options.prices)}.`,
    );
  }
  const table: Record<string, Price> = {};
  for (const [model, price] of Object.entries(options.prices))
    table[model] = checkPrice(`${where} prices["${model}"]`, price)!;
  return table;
}

/** `fn()`, with a synchronous throw as a rejection. */
function attempt<T>(fn: () => PromiseLike<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The call's error for a failed request: `cancelled` when its signal aborted it. */
function recordedError(call: SdkModelCall, error: unknown, signal: AbortSignal): unknown {
  call.failed(error);
  return signal.aborted ? abortedRequest(error) : error;
}

/**
 * The stream of parts as its reader pulls it, each part seen by `follower` on the way. The call
 * ends with the stream: `ok` at its end (`error` when an `error` part came), `error` when reading
 * fails, `cancelled` when the reader cancels it or the request is aborted.
 */
function followParts(
  source: ReadableStream<StreamPart>,
  follower: PartFollower,
  call: SdkModelCall,
  signal: AbortSignal,
  settle: { ok(output: unknown): void; fail(error: unknown): void },
): ReadableStream<StreamPart> {
  const reader = source.getReader();
  return new ReadableStream<StreamPart>({
    async pull(controller) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        settle.fail(recordedError(call, error, signal));
        controller.error(error);
        return;
      }
      if (next.done) {
        const reply = call.replied(readReply(() => follower.reply()));
        if (follower.error === undefined) settle.ok(reply);
        else settle.fail(recordedError(call, follower.error.value, signal));
        controller.close();
        return;
      }
      quietly(() => follower.piece(next.value));
      controller.enqueue(next.value);
    },
    cancel(reason) {
      settle.fail(stoppedReading(reason));
      return reader.cancel(reason);
    },
  });
}

/** What the call's record shows of the request, or `undefined` where reading it fails (then no record). */
function factsOf(params: CallOptions, model: LanguageModel): ModelRequestFacts | undefined {
  try {
    return requestFacts(params, model);
  } catch {
    return undefined;
  }
}

function generate(
  facts: ModelRequestFacts,
  model: LanguageModel,
  params: CallOptions,
  prices: PriceTable | undefined,
) {
  let generated: Promise<GenerateResult> | undefined;
  const { result } = startModelCall(facts, prices, (call) => {
    const request = withSignal(params, "abortSignal", call.signal);
    generated = attempt(() => model.doGenerate(request.options));
    return generated.then(
      (reply) => call.replied(readReply(() => generatedReply(reply))),
      (error) => {
        throw recordedError(call, error, request.signal);
      },
    );
  });
  return { generated, recorded: result };
}

/**
 * A middleware for the AI SDK's `wrapLanguageModel` that records every model call as runtrace
 * does its own: each `doGenerate` and `doStream` (each step of `generateText`, `streamText`,
 * `generateObject`, ...) is a call of kind `llm` named `chat {modelId}` under the current call, with
 * the prompt as input, the reply's text and tool calls as output, usage and cost, the finish reason
 * and the GenAI attributes; a stream's text as `token` events. The model's results and errors reach
 * the AI SDK unchanged. Tool calls the AI SDK runs show beside the model calls (see `aiTool`).
 *
 * @example
 * ```ts
 * import { openai } from "@ai-sdk/openai";
 * import { generateText, wrapLanguageModel } from "ai";
 * import { runtraceMiddleware } from "@runtrace/core/ai-sdk";
 * const model = wrapLanguageModel({ model: openai("gpt-4o"), middleware: runtraceMiddleware() });
 * await rt.session("ask", () => generateText({ model, prompt: "Hello" }));
 * ```
 */
export function runtraceMiddleware(options: RuntraceMiddlewareOptions = {}): LanguageModelMiddleware {
  const prices = pricesOf(options);
  return {
    specificationVersion: "v3",

    async wrapGenerate({ params, model }) {
      const facts = factsOf(params, model);
      if (facts === undefined) return model.doGenerate(params);
      const { generated, recorded } = generate(facts, model, params, prices);
      // The call could not start (its session was cancelled): the request goes out unrecorded.
      if (generated === undefined) return model.doGenerate(params);
      // The record ends before the AI SDK goes on (to run the tools the model asked for).
      await recorded.catch(() => {});
      return generated;
    },

    async wrapStream({ params, model }) {
      const facts = factsOf(params, model);
      if (facts === undefined) return model.doStream(params);
      let opened: Promise<StreamResult> | undefined;
      const { result } = startModelCall(facts, prices, (call) => {
        const request = withSignal(params, "abortSignal", call.signal);
        return new Promise((resolve, reject) => {
          opened = attempt(() => model.doStream(request.options)).then(
            (streamed) => {
              const follower = new PartFollower(call);
              const settle = { ok: resolve, fail: reject };
              return {
                ...streamed,
                stream: followParts(streamed.stream, follower, call, request.signal, settle),
              };
            },
            (error) => {
              reject(recordedError(call, error, request.signal));
              throw error;
            },
          );
        });
      });
      result.catch(() => {
        // The record has the error; the AI SDK gets it from the stream or from `opened`.
      });
      // The call could not start (its session was cancelled): the request goes out unrecorded.
      return opened ?? model.doStream(params);
    },
  };
}
