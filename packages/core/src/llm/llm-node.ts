import { z } from "zod";
import { describeValue, InvalidOptionsError } from "../errors.js";
import type { Node } from "../nodes/node.js";
import type { RetryOption } from "../nodes/retry-policy.js";
import { checkOptionKeys } from "../option-keys.js";
import { currentFrame } from "../runtime/frame.js";
import { functionNode } from "../runtime/function-node.js";
import { checkModel, requestModel } from "./model-call.js";
import { claimSink } from "./token-sink.js";
import type { Message, Model } from "./types.js";

/** Options of `rt.llmNode`. */
export interface LlmNodeOptions {
  /** The node's name in trees, spans and the registry. */
  name: string;
  model: Model;
  /** The system message. */
  system?: string;
  /**
   * The user message made of the input: a template where `{input}` stands for it, or a function.
   * A template without `{input}` gets the input appended after a blank line. @default the input itself
   */
  prompt?: string | ((input: string) => string);
  /** What the node does; shown to models when it is an agent's tool. */
  description?: string;
  /** Each attempt fails with `NodeTimeoutError` after this long. */
  timeoutMs?: number;
  /** Attempts of the whole node (the client retries 429 and 5xx on its own first). */
  retry?: RetryOption;
  /** Attributes put on every call's record and span. */
  attributes?: Record<string, unknown>;
}

const OPTIONS = Object.keys({
  name: true,
  model: true,
  system: true,
  prompt: true,
  description: true,
  timeoutMs: true,
  retry: true,
  attributes: true,
} satisfies Record<keyof LlmNodeOptions, true>);

/** The input of an LLM or agent node: text, or anything else as JSON (the output of several flow steps). */
export const textInput = z.preprocess(
  (value) => (typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value)),
  z.string().describe("The text to work on"),
);

export function checkName(where: string, name: unknown): string {
  if (typeof name !== "string" || name === "") {
    throw new InvalidOptionsError(
      `${where}: expected \`name\` to be a non-empty string, got ${describeValue(name)}.`,
    );
  }
  return name;
}

export function promptOf(where: string, prompt: LlmNodeOptions["prompt"]): (input: string) => string {
  if (prompt === undefined) return (input) => input;
  if (typeof prompt === "function") return (input) => String(prompt(input));
  if (typeof prompt !== "string") {
    throw new InvalidOptionsError(
      `${where}: expected \`prompt\` to be a template string with {input} or a function (input) => string, got ${describeValue(prompt)}.`,
    );
  }
  return prompt.includes("{input}")
    ? (input) => prompt.split("{input}").join(input)
    : (input) => (input === "" ? prompt : `${prompt}\n\n${input}`);
}

/**
 * A node of kind `llm`: sends its input (through `prompt`) to `model` after the `system` message
 * and resolves with the reply's text. Its record carries the GenAI attributes of the request:
 * model, provider, input and output tokens, latency, and cost when the model has a `price`. Under
 * `rt.stream` the reply is streamed.
 *
 * @example
 * ```ts
 * const french = rt.llmNode({ name: "french", model, system: "Answer in French." });
 * const answer = await french("What is MLOps?");
 * ```
 */
export function llmNode(options: LlmNodeOptions): Node<[input: string], string> {
  const where = `rt.llmNode`;
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `${where} expected options { name, model, system?, prompt? }, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys(where, options, OPTIONS);
  const name = checkName(where, options.name);
  const model = checkModel(`${where} "${name}"`, options.model);
  const prompt = promptOf(`${where} "${name}"`, options.prompt);
  const system = options.system;
  const node = functionNode(
    async (input: string): Promise<string> => {
      const frame = currentFrame()!;
      const sink = claimSink(frame);
      const messages: Message[] = [];
      if (system !== undefined && system !== "") messages.push({ role: "system", content: system });
      messages.push({ role: "user", content: prompt(input) });
      const response = await requestModel(frame, model, { messages }, sink);
      return response.text;
    },
    {
      name,
      kind: "llm",
      description: options.description ?? (system ? `Asks ${model.name}: ${system}` : `Asks ${model.name}`),
      params: [["input", textInput]],
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
    },
  );
  return node as Node<[input: string], string>;
}
