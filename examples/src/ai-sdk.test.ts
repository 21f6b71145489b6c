import * as rt from "@runtrace/core";
import { beforeEach, expect, it } from "vitest";
import { runBriefing } from "./ai-sdk.js";

beforeEach(() => {
  rt.configure({ store: null });
});

it("records each AI SDK step as a model call, the tool calls beside them, the postcard streamed", async () => {
  const tokens: string[] = [];
  const { briefing, postcard, session } = await runBriefing(["Oslo", "Lima"], (token) => tokens.push(token), {
    useApi: false,
  });

  expect(briefing).toMatch(/^Tomorrow: Oslo: .+°C; Lima: .+°C\.$/);
  expect(tokens.join("")).toBe(postcard);
  const steps = session.tree.find("weatherBriefing")!.children;
  expect(steps.map((c) => [c.node, c.kind, c.status])).toEqual([
    ["chat gpt-4o-mini", "llm", "ok"],
    ["forecast", "tool", "ok"],
    ["forecast", "tool", "ok"],
    ["chat gpt-4o-mini", "llm", "ok"],
    ["chat gpt-4o-mini", "llm", "ok"],
  ]);
  expect(steps[1]!.input).toEqual(["Oslo"]);
  expect(steps[2]!.input).toEqual(["Lima"]);
  expect(steps[4]!.events.filter((e) => e.name === "token").length).toBeGreaterThan(3);
  expect(session.tree.root.attributes["runtrace.model_calls"]).toBe(3);
});
