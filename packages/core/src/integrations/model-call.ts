import { ATTR_HTTP_RESPONSE_STATUS_CODE } from "../internal/semconv.js";
import { ModelCallRecorder, type ModelReplyFacts } from "../llm/model-call.js";
import type { Price } from "../llm/types.js";
import { makeNode } from "../nodes/node.js";
import { defineNode } from "../nodes/options.js";
import { callWith } from "../runtime/call.js";
import { type Frame, storage } from "../runtime/frame.js";

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

  /** The HTTP status the request failed with. */
  status(code: number): void {
    this.attributes({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: code });
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
}

/** The argument of an SDK model call: its record's input is what the integration chose to show. */
class SdkRequest {
  readonly facts: ModelRequestFacts;
  readonly prices: PriceTable | undefined;
  readonly parent: Frame | undefined;
  readonly body: (call: SdkModelCall) => Promise<unknown>;

  constructor(
    facts: ModelRequestFacts,
    prices: PriceTable | undefined,
    parent: Frame | undefined,
    body: (call: SdkModelCall) => Promise<unknown>,
  ) {
    this.facts = facts;
    this.prices = prices;
    this.parent = parent;
    this.body = body;
  }

  toJSON(): unknown {
    return this.facts.input;
  }
}

// The frame each SDK model call was started from, by the call's own frame (see `callerFrame`).
const callers = new WeakMap<Frame, Frame | undefined>();

const sdkModelCall = makeNode<[SdkRequest], unknown>(
  defineNode(
    (request: SdkRequest) => {
      const frame = storage.getStore()!;
      callers.set(frame, request.parent);
      return request.body(new SdkModelCall(frame, request.facts, request.prices));
    },
    "chat",
    { kind: "llm" },
  ),
  undefined,
);

/** What `startModelCall` started. */
export interface StartedModelCall<T> {
  /** Whether `body` ran before `startModelCall` returned (it does unless the call could not start). */
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
  const request = new SdkRequest(facts, prices, storage.getStore(), (call) => {
    started = true;
    return body(call);
  });
  const result = callWith({ name: `${facts.operation} ${facts.model}` }, sdkModelCall, request);
  return { started, result: result as Promise<T> };
}

/**
 * The frame code runs in, seen past SDK model calls: code that an SDK runs while reading a reply
 * (the tools of a streamed AI SDK reply) belongs beside the model call, not inside it.
 */
export function callerFrame(frame: Frame | undefined): Frame | undefined {
  while (frame !== undefined && callers.has(frame)) frame = callers.get(frame);
  return frame;
}
