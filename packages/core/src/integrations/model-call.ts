import { CancelledError } from "../errors.js";
import { readProperty } from "../internal/safe.js";
import { ATTR_HTTP_RESPONSE_STATUS_CODE } from "../internal/semconv.js";
import { ModelCallRecorder, type ModelReplyFacts } from "../llm/model-call.js";
import type { Price } from "../llm/types.js";
import { defineNode } from "../nodes/options.js";
import { callWith } from "../runtime/call.js";
import { currentFrame, type Frame } from "../runtime/frame.js";
import { makeNode } from "../runtime/make-node.js";
import { quietly, type RecordedReply } from "./reply.js";

/** What an SDK integration tells about a model request before it is sent. */
export interface ModelRequestFacts {
  /** `gen_ai.operation.name`: `chat` or `embeddings`. */
  operation: "chat" | "embeddings";
  /** The model asked for (`gen_ai.request.model`). */
  model: string;
  /** `gen_ai.provider.name`. */
  provider: string;
  /** What the record shows as the call's input (copied, cut and redacted like any input). */
  input: unknown;
  /** More request attributes (`gen_ai.request.temperature`, ...). */
  attributes?: Record<string, unknown>;
}

/** Price per million tokens by model name, as the integrations take it. */
export type PriceTable = Readonly<Record<string, Price>>;

/**
 * One model request made through an SDK, running as a call of kind `llm`: what the integration
 * records on it as the reply arrives. Recording never throws: a failure to record is the
 * recorder's, not the request's.
 */
export class SdkModelCall {
  readonly frame: Frame;
  readonly recorder: ModelCallRecorder;
  readonly #model: string;
  readonly #prices: PriceTable | undefined;

  constructor(frame: Frame, facts: ModelRequestFacts, prices: PriceTable | undefined) {
    this.frame = frame;
    this.#model = facts.model;
    this.#prices = prices;
    this.recorder = new ModelCallRecorder(frame, facts);
    if (facts.attributes !== undefined) this.attributes(facts.attributes);
  }

  /** Aborts when the call is cancelled: its session is cancelled, or a call above it times out. */
  get signal(): AbortSignal {
    return this.frame.signal;
  }

  /** A piece of streamed text: a `token` event (its key is `text`: a `token` key would be redacted). */
  token(text: string): void {
    if (text === "") return;
    this.recorder.textArrived();
    this.frame.session.event(this.frame.record, "token", { text });
  }

  attributes(values: Record<string, unknown>): void {
    this.frame.session.attributes(this.frame.record, values);
  }

  /** The reply is complete; its cost comes from the price of the model asked for, else the one that answered. */
  finished(facts: ModelReplyFacts): void {
    const prices = this.#prices;
    const price =
      prices === undefined
        ? undefined
        : (prices[this.#model] ?? (facts.model === undefined ? undefined : prices[facts.model]));
    this.recorder.finished(facts, price);
  }

  /** Records a complete reply (never throwing) and gives the output the call ends with. */
  replied(reply: RecordedReply | undefined): unknown {
    if (reply === undefined) return undefined;
    quietly(() => {
      this.finished(reply.facts);
      if (reply.attributes !== undefined) this.attributes(reply.attributes);
    });
    return reply.output;
  }

  /** Records what is known of a failed request: the HTTP status of an SDK's API error. */
  failed(error: unknown): void {
    quietly(() => {
      const status = readProperty(error, "status") ?? readProperty(error, "statusCode");
      if (typeof status === "number") this.attributes({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: status });
    });
  }
}

/** The argument of an SDK model call: its record's input is what the integration chose to show. */
class SdkRequest {
  readonly facts: ModelRequestFacts;
  readonly prices: PriceTable | undefined;
  readonly body: (call: SdkModelCall) => Promise<unknown>;

  constructor(
    facts: ModelRequestFacts,
    prices: PriceTable | undefined,
    body: (call: SdkModelCall) => Promise<unknown>,
  ) {
    this.facts = facts;
    this.prices = prices;
    this.body = body;
  }

  toJSON(): unknown {
    return this.facts.input;
  }
}

const sdkModelCall = makeNode<[SdkRequest], unknown>(
  defineNode(
    (request: SdkRequest) => request.body(new SdkModelCall(currentFrame()!, request.facts, request.prices)),
    "chat",
    { kind: "llm" },
  ),
  undefined,
);

/** What `startModelCall` started. */
export interface StartedModelCall<T> {
  /**
   * Whether `body` ran before `startModelCall` returned. It does unless the call could not start at
   * once (its session was cancelled, or a deep synchronous recursion put it off); then it never
   * runs, and the caller sends its request unrecorded.
   */
  readonly started: boolean;
  /** Settles as the promise `body` returned, once the call's record has ended. */
  readonly result: Promise<T>;
}

/**
 * Runs `body` as a model call made through an SDK: a call of kind `llm` named `{operation} {model}`
 * (the `chat {model}` span), a child of the current call, or outside any session in a session of
 * its own, as `rt.call` does. `body` runs at once, in the call's own frame, so that the request it
 * sends (and the spans of other instrumentation) belong to the call. The record ends when the
 * promise `body` returns settles: `ok` with its value as the output, else with its error
 * (`cancelled` for a `CancelledError`).
 */
export function startModelCall<T>(
  facts: ModelRequestFacts,
  prices: PriceTable | undefined,
  body: (call: SdkModelCall) => Promise<T>,
): StartedModelCall<T> {
  let started = false;
  let answered = false;
  const request = new SdkRequest(facts, prices, (call) => {
    // Too late: the caller went on without this call (and sent its request unrecorded).
    if (answered)
      return Promise.reject(new CancelledError("The request was sent before its call could start"));
    started = true;
    return body(call);
  });
  const result = callWith({ name: `${facts.operation} ${facts.model}` }, sdkModelCall, request);
  answered = true;
  return { started, result: result as Promise<T> };
}
