/**
 * `@runtrace/core/ai-sdk`: the Vercel AI SDK, recorded. `runtraceMiddleware()` makes every model
 * call of a wrapped model a `chat {model}` call in runtrace's tree; `aiTool(node)` makes a node an
 * AI SDK tool whose executions are node calls in the same tree. `ai` is an optional peer
 * dependency: only this entry point uses it, and `@runtrace/core` itself never loads it.
 *
 * @example
 * ```ts
 * import { openai } from "@ai-sdk/openai";
 * import { generateText, stepCountIs, wrapLanguageModel } from "ai";
 * import { aiTool, runtraceMiddleware } from "@runtrace/core/ai-sdk";
 * const model = wrapLanguageModel({ model: openai("gpt-4o"), middleware: runtraceMiddleware() });
 * await generateText({ model, prompt, tools: { weather: aiTool(weather) }, stopWhen: stepCountIs(5) });
 * ```
 *
 * @packageDocumentation
 */

export type { RuntraceMiddlewareOptions } from "./integrations/ai-sdk/middleware.js";
export { runtraceMiddleware } from "./integrations/ai-sdk/middleware.js";
export type { AiToolOptions } from "./integrations/ai-sdk/tool.js";
export { aiTool, aiTools } from "./integrations/ai-sdk/tool.js";
