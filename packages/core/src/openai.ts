/**
 * `@runtrace/core/openai`: the official `openai` client, recorded. Every request becomes a model
 * call in runtrace's tree (`chat {model}` or `embeddings {model}`), with the GenAI attributes,
 * usage, streamed tokens, retries and errors. `openai` is an optional peer dependency: only this
 * entry point uses it, and `@runtrace/core` itself never loads it.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { wrapOpenAI } from "@runtrace/core/openai";
 * const client = wrapOpenAI(new OpenAI());
 * ```
 *
 * @packageDocumentation
 */

export type { WrapOpenAIOptions } from "./integrations/openai/wrap-openai.js";
export { wrapOpenAI } from "./integrations/openai/wrap-openai.js";
