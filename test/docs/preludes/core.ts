// Names the samples of README.md and docs/core.md use without defining them. Each sample that says
// `<!-- sample: prelude=core -->` imports from here whatever it does not define itself. Everything
// is real and offline, so those samples run too.
import { EventEmitter } from "node:events";
import * as rt from "@runtrace/core";
import { z } from "zod";

export { rt, z };

/** A stand-in search client. */
export const web = {
  async search(query: string, limit = 5): Promise<string[]> {
    return Array.from({ length: Math.min(limit, 3) }, (_, i) => `${query} result ${i + 1}`);
  },
};

export const model = rt.scriptedModel(["It is sunny in Oslo."], { loop: true });
export const agent = rt.agentNode({ name: "agent", model, tools: [] });
export const question = "What is the weather in Oslo?";

export const ask = rt.functionNode(async (q: string) => `an answer to ${q}`, { name: "ask" });
export const questions = ["Why is the sky blue?", "What is MLOps?", "Who wrote Dune?"];
export const tasks = questions.map((q) => () => rt.call(ask, q));
export const languages = ["english", "french"];
export const q = "What is MLOps?";
export const answer = rt.functionNode(async (language: string, text: string) => `${language}: ${text}`, {
  name: "answer",
});
export const documents = ["first document", "second document"];
export const summarise = rt.functionNode(async (doc: string) => doc.slice(0, 5), { name: "summarise" });

export const key = "user:42";
export const user = { id: "u42", tier: "pro" };
export const k = "user";
export const emitter = new EventEmitter();
export const handle = rt.functionNode((chunk: unknown) => String(chunk), { name: "handle" });
