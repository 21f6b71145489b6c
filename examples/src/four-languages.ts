/**
 * One question answered in four languages at once (reference scenario 000). Each language is an
 * LLM node with its own system prompt; `rt.asCompleted` runs the four together and hands over each
 * answer the moment it completes, errors as values. The recorded tree shows the four model calls
 * side by side under the question, each with its model, tokens and latency.
 *
 * Run: node examples/dist/four-languages.js ["your question"]
 */
import * as rt from "@runtrace/core";
import { chooseModel, describeModel, isMain, systemMessage } from "./models.js";

export const LANGUAGES = ["english", "french", "danish", "italian"] as const;
export type Language = (typeof LANGUAGES)[number];

const capitalised = (language: string) => language[0]!.toUpperCase() + language.slice(1);

const OFFLINE: Record<Language, { text: string; delayMs: number }> = {
  english: {
    text: "MLOps is the practice of running machine-learning models reliably in production.",
    delayMs: 120,
  },
  french: {
    text: "Le MLOps est la pratique de l'exploitation fiable des modèles en production.",
    delayMs: 60,
  },
  danish: {
    text: "MLOps er praksis for at drive maskinlæringsmodeller pålideligt i produktion.",
    delayMs: 180,
  },
  italian: {
    text: "MLOps è la pratica di gestire modelli di machine learning in produzione in modo affidabile.",
    delayMs: 90,
  },
};

/** Offline stand-in: answers in the language its system prompt asks for, each with its own latency. */
export function offlineModel(): rt.ScriptedModel {
  return rt.scriptedModel(
    [
      (request) => {
        const language = LANGUAGES.find((l) => systemMessage(request).includes(capitalised(l))) ?? "english";
        return OFFLINE[language];
      },
    ],
    { name: "scripted-flash", loop: true, price: { inputPerMillion: 0.075, outputPerMillion: 0.3 } },
  );
}

/** One LLM node per language. */
export function languageNodes(model: rt.Model): rt.Node<[string], string>[] {
  return LANGUAGES.map((language) =>
    rt.llmNode({
      name: language,
      model,
      system: `Answer in ${capitalised(language)}, in two sentences at most.`,
    }),
  );
}

/**
 * A node asking all four at once. `onAnswer` sees each answer as it completes; a failing language
 * goes to `onError` and the others still answer. Resolves with the answers by language.
 */
export function makeAskEverywhere(model: rt.Model) {
  const nodes = languageNodes(model);
  return rt.functionNode(
    async (
      question: string,
      onAnswer?: (language: string, answer: string) => void,
      onError?: (language: string, error: unknown) => void,
    ) => {
      const answers: Record<string, string> = {};
      for await (const result of rt.asCompleted(nodes.map((node) => () => node(question)))) {
        const language = nodes[result.index]!.name;
        if (result.ok) {
          answers[language] = result.value;
          onAnswer?.(language, result.value);
        } else {
          onError?.(language, result.error);
        }
      }
      return answers;
    },
    { name: "askEverywhere" },
  );
}

/** The four-language node on the configured model (offline unless OPENAI_* are set). */
export const askEverywhere = makeAskEverywhere(chooseModel(offlineModel));

if (isMain(import.meta.url)) {
  const question = process.argv[2] ?? "What is MLOps?";
  const model = chooseModel(offlineModel);
  const ask = makeAskEverywhere(model);
  console.log(`Asking "${question}" in ${LANGUAGES.length} languages on ${describeModel(model)}\n`);
  const started = performance.now();
  const session = new rt.Session({ name: "four-languages", attributes: { question } });
  const answers = await session.run(() =>
    ask(
      question,
      (language, answer) => {
        const at = `${(performance.now() - started).toFixed(0)} ms`.padStart(8);
        console.log(`${at}  ${capitalised(language)} answer:\n          ${answer}`);
      },
      (language, error) =>
        console.log(`ERROR in ${language}: ${error instanceof Error ? error.message : error}`),
    ),
  );
  await rt.flush();
  console.log(`\nAnswered in ${Object.keys(answers).join(", ")} (completion order).\n`);
  console.log(rt.formatTree(session.tree));
}
