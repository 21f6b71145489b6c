/**
 * Which model the examples use: any OpenAI-compatible endpoint when OPENAI_BASE_URL and
 * OPENAI_API_KEY are set (model name from OPENAI_MODEL, default gpt-4o-mini), otherwise the
 * example's own scripted model, so that every example runs offline.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as rt from "@runtrace/core";

/** True when the examples should talk to a real endpoint. */
export function online(): boolean {
  return Boolean(process.env.OPENAI_BASE_URL && process.env.OPENAI_API_KEY);
}

/** The online model when configured, else `offline()`. */
export function chooseModel(offline: () => rt.Model): rt.Model {
  if (!online()) return offline();
  return rt.openaiCompatible({ model: process.env.OPENAI_MODEL ?? "gpt-4o-mini" });
}

/** Says which model an example runs on, in one line. */
export function describeModel(model: rt.Model): string {
  return model.provider === "scripted"
    ? "offline (scripted model; set OPENAI_BASE_URL and OPENAI_API_KEY to use a real one)"
    : `${model.provider} model ${model.name}`;
}

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

/** The text of the last tool results a model received (for scripted replies that use them). */
export function toolResults(request: rt.ModelRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const message of request.messages) {
    if (message.role === "tool") out[message.name ?? message.toolCallId] = message.content;
  }
  return out;
}

/** The last user message of a request. */
export function lastUserMessage(request: rt.ModelRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i]!;
    if (message.role === "user") return message.content;
  }
  return "";
}

/** The system message of a request. */
export function systemMessage(request: rt.ModelRequest): string {
  const first = request.messages[0];
  return first?.role === "system" ? first.content : "";
}
