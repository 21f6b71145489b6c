/**
 * One question answered in four languages at once. Each "language" is a node with its own
 * simulated latency; the answers are printed as they complete, and the recorded tree shows the
 * four calls side by side under the question.
 */
import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";

const LATENCY_MS: Record<string, number> = { english: 120, french: 60, danish: 180, italian: 90 };

const GREETINGS: Record<string, string> = {
  english: "MLOps is the practice of running machine-learning models reliably in production.",
  french: "Le MLOps est la pratique de l'exploitation fiable des modèles en production.",
  danish: "MLOps er praksis for at drive maskinlæringsmodeller pålideligt i produktion.",
  italian: "MLOps è la pratica di gestire modelli di machine learning in produzione in modo affidabile.",
};

/** A stand-in for a model answering in one language: waits its latency, honouring cancellation. */
function languageNode(language: string) {
  return rt.functionNode(
    async (question: string) => {
      await sleep(LATENCY_MS[language], undefined, { signal: rt.signal() });
      rt.event("answered", { characters: GREETINGS[language]!.length });
      return `${GREETINGS[language]} (asked: ${question})`;
    },
    { name: language, kind: "llm", description: `Answers in ${language}` },
  );
}

export const languages = Object.keys(LATENCY_MS).map(languageNode);

/** Asks all four at once; resolves with the answers keyed by language, in completion order. */
export const askEverywhere = rt.functionNode(
  async (question: string, onAnswer?: (language: string, answer: string) => void) => {
    const answers: Record<string, string> = {};
    await Promise.all(
      languages.map(async (node) => {
        const answer = await rt.call(node, question);
        answers[node.name] = answer;
        onAnswer?.(node.name, answer);
      }),
    );
    return answers;
  },
  { name: "askEverywhere", record: { input: true, output: true } },
);
