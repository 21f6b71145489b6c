import type { OpenAI } from "openai";
import { describeValue, InvalidOptionsError } from "../../errors.js";
import { readProperty } from "../../internal/safe.js";
import type { Price } from "../../llm/types.js";
import { checkPrice } from "../../llm/usage.js";
import { checkOptionKeys } from "../../option-keys.js";
import type { PriceTable } from "../model-call.js";
import { watchAttempts } from "./attempts.js";
import { chatCompletions } from "./chat-completions.js";
import { embeddings } from "./embeddings.js";
import type { Endpoint } from "./endpoint.js";
import { type RecordSettings, recordedCreate } from "./record-request.js";
import { responses } from "./responses.js";

/** Options of `wrapOpenAI`. */
export interface WrapOpenAIOptions {
  /**
   * Price per million tokens by model name (the name asked for, else the one that answered): each
   * call then records `runtrace.cost_usd`, summed on the agents above and the session.
   */
  prices?: Record<string, Price>;
  /** `gen_ai.provider.name` of the records. @default "openai" */
  provider?: string;
}

const OPTIONS = Object.keys({ prices: true, provider: true } satisfies Record<keyof WrapOpenAIOptions, true>);

// On the client and on each wrapped `create`: `Symbol.for`, so two copies of runtrace agree.
const WRAPPED = Symbol.for("runtrace.openai.wrapped");

function settingsOf(options: WrapOpenAIOptions): RecordSettings {
  const where = "wrapOpenAI";
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `${where} expected options { prices?, provider? }, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys(where, options, OPTIONS);
  if (options.provider !== undefined && (typeof options.provider !== "string" || options.provider === "")) {
    throw new InvalidOptionsError(
      `${where}: expected \`provider\` to be a non-empty string such as "azure.ai.openai", got ${describeValue(options.provider)}.`,
    );
  }
  let prices: PriceTable | undefined;
  if (options.prices !== undefined) {
    if (typeof options.prices !== "object" || options.prices === null) {
      throw new InvalidOptionsError(
        `${where}: expected \`prices\` to be { [model]: { inputPerMillion, outputPerMillion } }, got ${describeValue(options.prices)}.`,
      );
    }
    const table: Record<string, Price> = {};
    for (const [model, price] of Object.entries(options.prices))
      table[model] = checkPrice(`${where} prices["${model}"]`, price)!;
    prices = table;
  }
  return { provider: options.provider ?? "openai", prices };
}

type Create = (this: unknown, body: unknown, options?: unknown) => unknown;

/** Replaces `resource.create` (an own property over the class's method) with the recording one. */
function wrapCreate(resource: unknown, endpoint: Endpoint, settings: RecordSettings): void {
  const create = readProperty(resource, "create") as (Create & { [WRAPPED]?: true }) | undefined;
  if (typeof create !== "function" || create[WRAPPED]) return;
  const recorded = recordedCreate(endpoint, create, settings) as Create & { [WRAPPED]?: true };
  recorded[WRAPPED] = true;
  Object.defineProperty(resource, "create", { value: recorded, configurable: true, writable: true });
}

/**
 * Records every request of an official `openai` client as a model call, and returns the same
 * client. `chat.completions.create`, `responses.create` and `embeddings.create` (and the helpers
 * built on them: `parse`, `stream`, `runTools`), streamed or not, each become a call of kind `llm`
 * named `chat {model}` or `embeddings {model}` under the current call: the request's messages as
 * input, the reply's text and tool calls as output, usage, finish reasons and the GenAI attributes;
 * a streamed reply's text as `token` events; retries of the client as `retry` events; an API error
 * with its HTTP status. Outside any session each request is a session of its own, as `rt.call` is.
 * The client behaves exactly as before, and recording never throws into it. Wrapping a client twice
 * changes nothing; `client.withOptions(...)` returns a wrapped client too.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { wrapOpenAI } from "@runtrace/core/openai";
 * const client = wrapOpenAI(new OpenAI());
 * await rt.session("ask", () => client.chat.completions.create({ model: "gpt-4o-mini", messages }));
 * ```
 */
export function wrapOpenAI<C extends OpenAI>(client: C, options: WrapOpenAIOptions = {}): C {
  const settings = settingsOf(options);
  const chat = readProperty(readProperty(client, "chat"), "completions");
  const resources = [chat, readProperty(client, "responses"), readProperty(client, "embeddings")];
  if (!resources.some((resource) => typeof readProperty(resource, "create") === "function")) {
    throw new InvalidOptionsError(
      `wrapOpenAI expected a client of the \`openai\` package (new OpenAI()), got ${describeValue(client)}.`,
    );
  }
  const target = client as C & { [WRAPPED]?: true };
  if (target[WRAPPED]) return client;
  wrapCreate(chat, chatCompletions, settings);
  wrapCreate(resources[1], responses, settings);
  wrapCreate(resources[2], embeddings, settings);
  watchAttempts(client);
  const withOptions = readProperty(client, "withOptions");
  if (typeof withOptions === "function") {
    Object.defineProperty(client, "withOptions", {
      value: (...args: unknown[]) => wrapOpenAI(withOptions.apply(client, args), options),
      configurable: true,
      writable: true,
    });
  }
  Object.defineProperty(client, WRAPPED, { value: true, configurable: true });
  return client;
}
