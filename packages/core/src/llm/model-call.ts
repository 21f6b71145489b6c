import { describeValue, InvalidOptionsError, ModelError } from "../errors.js";
import { now } from "../internal/clock.js";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_RUNTRACE_COST_USD,
  ATTR_RUNTRACE_MODEL_ATTEMPTS,
  ATTR_RUNTRACE_MODEL_LATENCY_MS,
  ATTR_RUNTRACE_MODEL_TIME_TO_FIRST_TOKEN_MS,
} from "../internal/semconv.js";
import type { Frame } from "../runtime/frame.js";
import type { TokenSink } from "./token-sink.js";
import type { Model, ModelRequest, ModelResponse, Price, RetryInfo, Usage } from "./types.js";
import { costOf, roundCost, sumUsage } from "./usage.js";

/** Throws `InvalidOptionsError` unless `model` looks like a `Model`. */
export function checkModel(where: string, model: unknown): Model {
  const m = model as Partial<Model> | null;
  if (
    typeof m !== "object" ||
    m === null ||
    typeof m.name !== "string" ||
    typeof m.complete !== "function" ||
    typeof m.stream !== "function"
  ) {
    throw new InvalidOptionsError(
      `${where}: expected \`model\` to be a model such as rt.openaiCompatible({ model: "gpt-4o-mini" }) or rt.scriptedModel([...]), got ${describeValue(model)}.`,
    );
  }
  return m as Model;
}

/** What a model call's record needs to know of the reply once it is complete. */
export interface ModelReplyFacts {
  /** The model that answered, when the server named it (`gen_ai.response.model`). */
  model?: string | undefined;
  /** Why the model stopped, one per choice (`gen_ai.response.finish_reasons`). */
  finishReasons?: string[] | undefined;
  usage?: Usage | undefined;
}

/**
 * Records one model request on the running call (`frame`), following the GenAI conventions: the
 * operation, model and provider at once; retries as `retry` events; and when the reply is complete
 * its latency, time to first token, response model, finish reasons, usage and cost. Usage is also
 * added to the agents above and to the session's root. `rt.llmNode`, `rt.agentNode` and the SDK
 * integrations all record through it.
 */
export class ModelCallRecorder {
  readonly #frame: Frame;
  readonly #started = now();
  #firstToken: number | undefined;
  #attempts = 1;

  constructor(frame: Frame, request: { operation?: string; model: string; provider: string }) {
    this.#frame = frame;
    frame.session.attributes(frame.record, {
      [ATTR_GEN_AI_OPERATION_NAME]: request.operation ?? "chat",
      [ATTR_GEN_AI_REQUEST_MODEL]: request.model,
      [ATTR_GEN_AI_PROVIDER_NAME]: request.provider,
    });
  }

  /** A failed attempt that the client is about to retry: a `retry` event on the call. */
  retried(info: RetryInfo): void {
    this.#attempts = info.attempt + 1;
    this.#frame.session.event(this.#frame.record, "retry", info);
  }

  /** Text of the reply arrived (the first time is the time to first token). */
  textArrived(): void {
    this.#firstToken ??= now();
  }

  /** The reply is complete: its attributes, and its usage and cost (at `price`) summed upwards. */
  finished(reply: ModelReplyFacts, price: Price | undefined): void {
    const { session, record } = this.#frame;
    const started = this.#started;
    const attributes: Record<string, unknown> = {
      [ATTR_RUNTRACE_MODEL_LATENCY_MS]: Math.round((now() - started) * 1000) / 1000,
    };
    if (this.#firstToken !== undefined)
      attributes[ATTR_RUNTRACE_MODEL_TIME_TO_FIRST_TOKEN_MS] =
        Math.round((this.#firstToken - started) * 1000) / 1000;
    if (this.#attempts > 1) attributes[ATTR_RUNTRACE_MODEL_ATTEMPTS] = this.#attempts;
    if (reply.model !== undefined) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = reply.model;
    if (reply.finishReasons !== undefined && reply.finishReasons.length > 0)
      attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = reply.finishReasons;
    const usage = reply.usage;
    const cost = usage === undefined ? undefined : costOf(usage, price);
    if (usage !== undefined) {
      attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.inputTokens;
      attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.outputTokens;
      if (cost !== undefined) attributes[ATTR_RUNTRACE_COST_USD] = roundCost(cost);
    }
    session.attributes(record, attributes);
    if (usage !== undefined) sumUsage(session, record, usage, cost);
  }
}

/**
 * Sends one request to `model` as the running call (`frame`) and records it there (see
 * {@link ModelCallRecorder}). With a sink, the reply is streamed and each piece of text goes to the
 * sink as it arrives.
 */
export async function requestModel(
  frame: Frame,
  model: Model,
  request: ModelRequest,
  sink: TokenSink | undefined,
): Promise<ModelResponse> {
  const recorder = new ModelCallRecorder(frame, { model: model.name, provider: model.provider });
  const options = {
    signal: frame.signal,
    onRetry: (info: RetryInfo) => recorder.retried(info),
  };
  let response: ModelResponse | undefined;
  if (sink === undefined) {
    response = await model.complete(request, options);
  } else {
    for await (const event of model.stream(request, options)) {
      if (event.type === "text") {
        recorder.textArrived();
        sink.push(event.text);
      } else if (event.type === "done") {
        response = event.response;
      }
    }
    if (response === undefined) {
      throw new ModelError(`Model "${model.name}" ended its stream without a reply.`, {
        endpoint: `${model.provider}:${model.name}`,
      });
    }
  }
  recorder.finished(
    {
      model: response.model,
      finishReasons: response.finishReason === undefined ? undefined : [response.finishReason],
      usage: response.usage,
    },
    model.price,
  );
  return response;
}
