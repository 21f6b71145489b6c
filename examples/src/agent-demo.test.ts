import * as rt from "@runtrace/core";
import { beforeEach, expect, it } from "vitest";
import { offlineModel, runTripDemo } from "./agent-demo.js";

beforeEach(() => {
  rt.configure({ store: null });
});

const overlap = (a: rt.CallRecord, b: rt.CallRecord) => a.start < b.end! && b.start < a.end!;

it("runs an agent with parallel tools inside a flow, streams the itinerary and sums usage", async () => {
  const tokens: string[] = [];
  const { itinerary, session } = await runTripDemo(offlineModel(), "3 days in Lisbon", (t) => tokens.push(t));

  expect(itinerary).toMatch(/^Day 1: .*Budget: about 615 EUR\.$/);
  expect(tokens.length).toBeGreaterThan(10);
  expect(tokens.join("")).toBe(itinerary);

  const flow = session.tree.find("planTrip")!;
  expect(flow.kind).toBe("flow");
  expect(flow.children.map((c) => [c.node, c.kind])).toEqual([
    ["request", "function"],
    ["research", "agent"],
    ["budget", "function"],
    ["itinerary", "function"],
  ]);
  const [, research, budget, itineraryStep] = flow.children as rt.CallRecord[];
  // Research and budget run side by side after the request is parsed.
  expect(overlap(research!, budget!)).toBe(true);

  // agent → chat → tool ×3 (at once, execute_tool spans) → chat; the flaky events tool was retried.
  expect(research!.children.map((c) => c.node)).toEqual([
    "chat scripted-planner",
    "weather",
    "events",
    "hotels",
    "chat scripted-planner",
  ]);
  const tools = research!.children.slice(1, 4);
  expect(Math.max(...tools.map((c) => c.start))).toBeLessThan(Math.min(...tools.map((c) => c.end!)));
  const eventsCall = tools[1]!;
  expect(eventsCall.attempts).toBe(2);
  expect(eventsCall.events.map((e) => e.name)).toContain("retry");
  expect(research!.output).toEqual({
    forecast: "sunny, 24°C, light wind",
    highlights: ["fado night in Alfama", "tile museum late opening"],
    hotel: "Casa do Rio, 4*, 135 EUR a night",
  });

  // The itinerary was streamed: its LLM call carries one token event per piece.
  const writer = itineraryStep!.children[0]!;
  expect(writer.node).toBe("itineraryWriter");
  expect(writer.events.filter((e) => e.name === "token")).toHaveLength(tokens.length);

  expect(research!.attributes).toMatchObject({
    "gen_ai.usage.input_tokens": 830,
    "gen_ai.usage.output_tokens": 103,
  });
  expect(session.tree.root.attributes).toMatchObject({
    "gen_ai.usage.input_tokens": 1070,
    "gen_ai.usage.output_tokens": 161,
    "runtrace.model_calls": 3,
  });
  expect(session.tree.root.attributes["runtrace.cost_usd"]).toBeCloseTo((1070 * 0.4 + 161 * 1.6) / 1e6, 12);
});
