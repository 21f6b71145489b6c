import * as rt from "@runtrace/core";
import { beforeEach, expect, it } from "vitest";
import { LANGUAGES, makeAskEverywhere, offlineModel } from "./four-languages.js";

beforeEach(() => {
  rt.configure({ store: null });
});

it("asks in four languages at once and hands over each answer as it completes", async () => {
  const ask = makeAskEverywhere(offlineModel());
  const order: string[] = [];
  const session = new rt.Session({ name: "four-languages" });
  const answers = await session.run(() => ask("What is MLOps?", (language) => order.push(language)));

  expect(Object.keys(answers).sort()).toEqual([...LANGUAGES].sort());
  expect(answers.french).toMatch(/^Le MLOps/);
  const top = session.tree.find("askEverywhere")!;
  expect(top.children.map((c) => [c.node, c.kind, c.status])).toEqual(
    LANGUAGES.map((language) => [language, "llm", "ok"]),
  );
  // All four ran at once: every one started before any finished.
  const latestStart = Math.max(...top.children.map((c) => c.start));
  const earliestEnd = Math.min(...top.children.map((c) => c.end!));
  expect(latestStart).toBeLessThan(earliestEnd);
  // Answers were handed over in the order the calls completed.
  const byEnd = [...top.children].sort((a, b) => a.end! - b.end!).map((c) => c.node);
  expect(order).toEqual(byEnd);
  for (const call of top.children) {
    expect(call.attributes["gen_ai.request.model"]).toBe("scripted-flash");
    expect(call.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
  }
  expect(session.tree.root.attributes["runtrace.model_calls"]).toBe(4);
});
