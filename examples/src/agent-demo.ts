/**
 * The richest offline run: an agent with tools inside a flow, streamed output, retries, structured
 * output, and usage and cost summed on the session.
 *
 * The `planTrip` flow parses a request, then runs two steps at once: a research agent (which calls
 * its weather, events and hotel tools in parallel; the events service fails once and is retried)
 * and a budget estimate. A writer LLM node then streams the itinerary token by token. The tree,
 * the token usage and cost, and where the session was stored are printed at the end.
 *
 * Run: node examples/dist/agent-demo.js ["3 days in Lisbon"]
 *      (offline with a scripted model; set OPENAI_BASE_URL and OPENAI_API_KEY for a real one)
 */
import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";
import { z } from "zod";
import { chooseModel, describeModel, isMain, systemMessage, toolResults } from "./models.js";

const wait = (ms: number) => sleep(ms, undefined, { signal: rt.signal() });

export const parseRequest = rt.functionNode(
  (text: string) => {
    const days = Number(/(\d+)\s*days?/i.exec(text)?.[1] ?? 2);
    const city = /\bin\s+([A-Z][\p{L}-]+)/u.exec(text)?.[1] ?? "Lisbon";
    return { city, days };
  },
  { name: "parseRequest", description: "Reads the city and the number of days from a request" },
);

export const weather = rt.functionNode(
  async (city: string) => {
    await wait(70);
    return { city, forecast: "sunny, 24°C, light wind" };
  },
  { name: "weather", kind: "tool", description: "The forecast for a city", params: [["city", z.string()]] },
);

export const events = rt.functionNode(
  async (city: string) => {
    await wait(50);
    // The events service is flaky: the first attempt of every call fails, the retry succeeds.
    if (rt.current()?.attempt === 1) throw new Error("events service busy (503)");
    return { city, events: ["fado night in Alfama", "tile museum late opening"] };
  },
  {
    name: "events",
    kind: "tool",
    description: "What is on in a city",
    params: [["city", z.string()]],
    retry: { attempts: 2, delayMs: 40 },
  },
);

export const hotels = rt.functionNode(
  async (city: string, nights: number) => {
    await wait(90);
    return { city, nights, pick: "Casa do Rio, 4*, 135 EUR a night" };
  },
  {
    name: "hotels",
    kind: "tool",
    description: "A hotel suggestion",
    params: [
      ["city", z.string()],
      ["nights", z.number().int().min(1)],
    ],
  },
);

export const estimateBudget = rt.functionNode(
  async (trip: { city: string; days: number }) => {
    await wait(60);
    const perDay = { hotel: 135, food: 55, transport: 15 };
    return { perDay, total: trip.days * (perDay.hotel + perDay.food + perDay.transport), currency: "EUR" };
  },
  { name: "estimateBudget", description: "A rough budget for the trip" },
);

/** What the research agent must answer: checked by zod, repaired once by the model if needed. */
export const Research = z.object({
  forecast: z.string(),
  highlights: z.array(z.string()).min(1),
  hotel: z.string(),
});

const SYSTEM = {
  research: "You research trips. Call the weather, events and hotels tools, all at once, then summarise.",
  writer: "You write short, friendly day-by-day travel itineraries.",
};

/** Offline stand-in: a researcher that uses its tools, then a writer that streams. */
export function offlineModel(): rt.ScriptedModel {
  return rt.scriptedModel(
    [
      (request) => {
        if (systemMessage(request).startsWith(SYSTEM.research)) {
          const results = toolResults(request);
          if (Object.keys(results).length === 0) {
            const city = /trip to ([^.\s]+)/.exec(request.messages.at(-1)!.content)?.[1] ?? "Lisbon";
            return {
              toolCalls: [
                { name: "weather", arguments: { city } },
                { name: "events", arguments: { city } },
                { name: "hotels", arguments: { city, nights: 2 } },
              ],
              delayMs: 60,
              usage: { inputTokens: 310, outputTokens: 42 },
            };
          }
          const forecast = JSON.parse(results.weather ?? "{}").forecast ?? "unknown";
          const highlights = JSON.parse(results.events ?? "{}").events ?? [];
          const hotel = JSON.parse(results.hotels ?? "{}").pick ?? "unknown";
          return {
            text: JSON.stringify({ forecast, highlights, hotel }),
            delayMs: 80,
            usage: { inputTokens: 520, outputTokens: 61 },
          };
        }
        return {
          text: "Day 1: settle in at Casa do Rio, then a fado night in Alfama. Day 2: the tile museum late opening after a sunny walk along the river. Day 3: pastries in Belém and home. Budget: about 615 EUR.",
          delayMs: 100,
          tokenDelayMs: 25,
          usage: { inputTokens: 240, outputTokens: 58 },
        };
      },
    ],
    { name: "scripted-planner", loop: true, price: { inputPerMillion: 0.4, outputPerMillion: 1.6 } },
  );
}

/** The trip flow; `onToken` sees the itinerary as it is written. */
export function makeTripFlow(model: rt.Model, onToken: (token: string) => void = () => {}) {
  const researcher = rt.agentNode({
    name: "researcher",
    model,
    system: SYSTEM.research,
    tools: [weather, events, hotels],
    maxTurns: 4,
    output: Research,
  });
  const writer = rt.llmNode({ name: "itineraryWriter", model, system: SYSTEM.writer });
  const writeItinerary = rt.functionNode(
    async (facts: { request: { city: string; days: number }; research: unknown; budget: unknown }) => {
      let text = "";
      const prompt = `Write a ${facts.request.days}-day itinerary for ${facts.request.city}. Facts: ${JSON.stringify(facts)}`;
      for await (const token of rt.stream(writer, prompt)) {
        text += token;
        onToken(token);
      }
      return text;
    },
    { name: "writeItinerary" },
  );
  return rt.flow(
    "planTrip",
    {
      request: parseRequest,
      research: {
        node: researcher,
        after: ["request"],
        args: ({ results }) => {
          const { city, days } = results.request as { city: string; days: number };
          return [`Research a ${days}-day trip to ${city}.`];
        },
      },
      budget: { node: estimateBudget, after: ["request"] },
      itinerary: {
        node: writeItinerary,
        after: ["request", "research", "budget"],
      },
    },
    {
      returns: "itinerary",
      description: "Plans a trip: research and budget in parallel, then a streamed itinerary",
    },
  );
}

/** Runs the flow in its own session; resolves with the itinerary and the session. */
export async function runTripDemo(model: rt.Model, request: string, onToken?: (token: string) => void) {
  const trip = makeTripFlow(model, onToken);
  const session = new rt.Session({ name: "trip-planner", attributes: { request } });
  const itinerary = await session.run(() => trip(request));
  return { itinerary, session, trip };
}

/** Runs the demo and prints what a user wants to see; resolves with the recorded session. */
export async function printTripDemo(request = "3 days in Lisbon"): Promise<rt.Session> {
  const model = chooseModel(offlineModel);
  console.log(`Planning "${request}" on ${describeModel(model)}\n`);
  console.log(`${makeTripFlow(model).toMermaid({ direction: "LR" })}\n`);
  process.stdout.write("Itinerary (streamed): ");
  const { session } = await runTripDemo(model, request, (token) => process.stdout.write(token));
  await rt.flush();
  console.log(`\n\n${rt.formatTree(session.tree)}\n`);
  const totals = session.tree.root.attributes;
  const cost = totals["runtrace.cost_usd"];
  console.log(
    `Model calls: ${totals["runtrace.model_calls"]}, tokens in/out: ${totals["gen_ai.usage.input_tokens"]}/${totals["gen_ai.usage.output_tokens"]}${typeof cost === "number" ? `, cost: $${cost.toFixed(6)}` : ""}`,
  );
  console.log(`Recorded session ${session.id} in ${rt.jsonlStore().fileOf(session.id)}`);
  return session;
}

if (isMain(import.meta.url)) await printTripDemo(process.argv[2]);
