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
import type { Model, ModelRequest, ModelResponse } from "./types.js";
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

/**
 * Sends one request to `model` as the running call (`frame`) and records it there, following the
 * GenAI conventions: operation, model, provider, usage, latency, cost, retries as `retry` events.
 * With a sink, the reply is streamed and each piece of text goes to the sink as it arrives. Usage
 * is also added to the agents above and to the session's root.
 */
export async function requestModel(
  frame: Frame,
  model: Model,
  request: ModelRequest,
  sink: TokenSink | undefined,
): Promise<ModelResponse> {
  const { session, record } = frame;
  session.attributes(record, {
    [ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [ATTR_GEN_AI_REQUEST_MODEL]: model.name,
    [ATTR_GEN_AI_PROVIDER_NAME]: model.provider,
  });
  const started = now();
  let attempts = 1;
  const options = {
    signal: frame.signal,
    onRetry: (info: { attempt: number }) => {
      attempts = info.attempt + 1;
      session.event(record, "retry", info);
    },
  };
  let response: ModelResponse | undefined;
  let firstToken: number | undefined;
  if (sink === undefined) {
    response = await model.complete(request, options);
  } else {
    for await (const event of model.stream(request, options)) {
      if (event.type === "text") {
        firstToken ??= now();
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
  const attributes: Record<string, unknown> = {
    [ATTR_RUNTRACE_MODEL_LATENCY_MS]: Math.round((now() - started) * 1000) / 1000,
  };
  if (firstToken !== undefined)
    attributes[ATTR_RUNTRACE_MODEL_TIME_TO_FIRST_TOKEN_MS] = Math.round((firstToken - started) * 1000) / 1000;
  if (attempts > 1) attributes[ATTR_RUNTRACE_MODEL_ATTEMPTS] = attempts;
  if (response.model !== undefined) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = response.model;
  if (response.finishReason !== undefined)
    attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [response.finishReason];
  const usage = response.usage;
  const cost = usage === undefined ? undefined : costOf(usage, model.price);
  if (usage !== undefined) {
    attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.inputTokens;
    attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.outputTokens;
    if (cost !== undefined) attributes[ATTR_RUNTRACE_COST_USD] = roundCost(cost);
  }
  session.attributes(record, attributes);
  if (usage !== undefined) sumUsage(session, record, usage, cost);
  return response;
}
