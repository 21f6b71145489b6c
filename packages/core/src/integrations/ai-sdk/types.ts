import type { LanguageModelMiddleware } from "ai";

// The language model interface of the AI SDK (`LanguageModelV3` in ai 6), read off the middleware
// type that `ai` exports, so that nothing depends on `@ai-sdk/provider` being resolvable.
type WrapGenerate = NonNullable<LanguageModelMiddleware["wrapGenerate"]>;

/** The model a middleware wraps. */
export type LanguageModel = Parameters<WrapGenerate>[0]["model"];
/** What a model call is given: the prompt, tools, settings, abort signal. */
export type CallOptions = Parameters<WrapGenerate>[0]["params"];
export type GenerateResult = Awaited<ReturnType<LanguageModel["doGenerate"]>>;
export type StreamResult = Awaited<ReturnType<LanguageModel["doStream"]>>;
export type StreamPart = StreamResult["stream"] extends ReadableStream<infer P> ? P : never;
