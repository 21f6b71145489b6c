/**
 * What a model call says of itself, from the GenAI semantic-convention attributes: the model and
 * the tokens it read and wrote. runtrace's own model calls (`llm` records) and spans from other
 * instrumentation (`span` records: the OpenAI instrumentation, the Vercel AI SDK, an OTLP exporter)
 * carry the same attributes, so both show the same way. Pure, no DOM.
 */
import type { FlatCall } from "../../../src/shared/types.js";

export interface GenAiSummary {
  /** `gen_ai.request.model`, else `gen_ai.response.model`. */
  model: string | undefined;
  /** `gen_ai.usage.input_tokens`. */
  inputTokens: number | undefined;
  /** `gen_ai.usage.output_tokens`. */
  outputTokens: number | undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function tokens(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The model and tokens of a model call (`llm`) or of a span that reports them; `undefined` for
 * anything else (an agent's totals are its own attributes, not one model call's).
 */
export function genAiSummary(call: FlatCall): GenAiSummary | undefined {
  if (call.kind !== "llm" && call.kind !== "span") return undefined;
  const attributes = call.attributes && typeof call.attributes === "object" ? call.attributes : {};
  const summary: GenAiSummary = {
    model: text(attributes["gen_ai.request.model"]) ?? text(attributes["gen_ai.response.model"]),
    inputTokens: tokens(attributes["gen_ai.usage.input_tokens"]),
    outputTokens: tokens(attributes["gen_ai.usage.output_tokens"]),
  };
  const known =
    summary.model !== undefined || summary.inputTokens !== undefined || summary.outputTokens !== undefined;
  return known ? summary : undefined;
}

/** One short line for a tree row: `gpt-4o · 120 → 45 tokens`. */
export function genAiLine(summary: GenAiSummary): string {
  const parts: string[] = [];
  if (summary.model !== undefined) parts.push(summary.model);
  if (summary.inputTokens !== undefined || summary.outputTokens !== undefined) {
    const n = (value: number | undefined) => (value === undefined ? "?" : value.toLocaleString("en-US"));
    parts.push(`${n(summary.inputTokens)} → ${n(summary.outputTokens)} tokens`);
  }
  return parts.join(" · ");
}

/** A span record's kind as OpenTelemetry names it (`server`, `client`, ...), `internal` when unsaid. */
export function spanKindOf(call: FlatCall): string | undefined {
  if (call.kind !== "span") return undefined;
  const kind = call.attributes?.["span.kind"];
  return typeof kind === "string" ? kind : "internal";
}
