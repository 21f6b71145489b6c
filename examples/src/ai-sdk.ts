/**
 * Code written with the Vercel AI SDK, recorded by runtrace. A weather briefing asks the model
 * about several cities with `generateText` and a runtrace node as its tool (`aiTool`): the model
 * asks for every city's forecast at once, the AI SDK runs the tool calls, the model sums up; then
 * `streamText` writes a postcard from the summary. The model is wrapped with `runtraceMiddleware()`,
 * so each step is a `chat {model}` call in the tree, beside the tool calls, with usage and tokens.
 *
 * Run: node examples/dist/ai-sdk.js [Oslo Lima Pune]
 *      (offline against a local stand-in for the API; set OPENAI_BASE_URL and OPENAI_API_KEY for a real one)
 */
import { createOpenAI } from "@ai-sdk/openai";
import * as rt from "@runtrace/core";
import { aiTools, runtraceMiddleware } from "@runtrace/core/ai-sdk";
import { generateText, type LanguageModel, stepCountIs, streamText, wrapLanguageModel } from "ai";
import { z } from "zod";
import { isMain, online } from "./models.js";
import { type ScriptedServer, startScriptedServer, toolResultsOf } from "./scripted-openai-server.js";

export const forecast = rt.functionNode(
  async (city: string) => {
    const seed = [...city].reduce((sum, c) => sum + c.charCodeAt(0), 0);
    return `${city}: ${["sunny", "cloudy", "light rain"][seed % 3]}, ${12 + (seed % 15)}°C`;
  },
  {
    name: "forecast",
    kind: "tool",
    description: "Tomorrow's weather in a city",
    params: [["city", z.string()]],
  },
);

/** A `weatherBriefing` node: a tool-using `generateText`, then a streamed postcard. */
export function makeBriefing(model: LanguageModel, onToken?: (token: string) => void) {
  return rt.functionNode(
    async (cities: string[]) => {
      const research = await generateText({
        model,
        system: "You brief travellers on tomorrow's weather. Use the forecast tool for every city.",
        prompt: `Tomorrow's weather in ${cities.join(", ")}?`,
        tools: aiTools([forecast]),
        stopWhen: stepCountIs(3),
      });
      const postcard = streamText({
        model,
        prompt: `Write a one-line postcard from this briefing: ${research.text}`,
      });
      let text = "";
      for await (const piece of postcard.textStream) {
        text += piece;
        onToken?.(piece);
      }
      return { briefing: research.text, postcard: text };
    },
    { name: "weatherBriefing" },
  );
}

/** The local stand-in for the API: a forecast per city, a summary of them, then a postcard. */
export function startOfflineApi(): Promise<ScriptedServer> {
  return startScriptedServer((request) => {
    const forecasts = toolResultsOf(request);
    if (forecasts.length > 0) return { text: `Tomorrow: ${forecasts.join("; ")}.` };
    const prompt = String(JSON.stringify(request.messages.at(-1)?.content ?? ""));
    if (request.tools !== undefined) {
      const cities = /weather in ([^?]+)\?/.exec(prompt)?.[1]?.split(", ") ?? [];
      return { toolCalls: cities.map((city) => ({ name: "forecast", arguments: { city } })) };
    }
    return { text: "Wish you were here: the sun is out somewhere on the list!" };
  });
}

/** Briefs on `cities` in a session of its own: offline, or on the API the environment names. */
export async function runBriefing(
  cities: string[],
  onToken?: (token: string) => void,
  { useApi = online() }: { useApi?: boolean } = {},
) {
  const offline = useApi ? undefined : await startOfflineApi();
  try {
    const provider = createOpenAI(offline ? { baseURL: offline.baseURL, apiKey: "offline" } : {});
    const model = wrapLanguageModel({
      model: provider.chat(process.env.OPENAI_MODEL ?? "gpt-4o-mini"),
      middleware: runtraceMiddleware({
        prices: { "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
      }),
    });
    const session = new rt.Session({ name: "weather-briefing" });
    const result = await session.run(() => makeBriefing(model, onToken)(cities));
    return { ...result, session };
  } finally {
    await offline?.close();
  }
}

if (isMain(import.meta.url)) {
  const cities = process.argv.length > 2 ? process.argv.slice(2) : ["Oslo", "Lima", "Pune"];
  const { briefing, session } = await runBriefing(cities, (token) => process.stdout.write(token));
  await rt.flush();
  console.log(`\n\n${briefing}\n\n${rt.formatTree(session.tree)}\n`);
  const totals = session.tree.root.attributes;
  console.log(
    `Model calls: ${totals["runtrace.model_calls"]}, tokens in/out: ${totals["gen_ai.usage.input_tokens"]}/${totals["gen_ai.usage.output_tokens"]}`,
  );
}
