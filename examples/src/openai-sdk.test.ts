import * as rt from "@runtrace/core";
import { beforeEach, expect, it } from "vitest";
import { runSupportDesk } from "./openai-sdk.js";

beforeEach(() => {
  rt.configure({ store: null });
});

it("records the openai client's requests as model calls beside the tool call, the answer streamed", async () => {
  const tokens: string[] = [];
  const { answer, session } = await runSupportDesk("Where is my order 1042?", (token) => tokens.push(token), {
    useApi: false,
  });

  expect(answer).toBe("Good news: order 1042 is shipped and should reach you in 2 days.");
  expect(tokens.join("")).toBe(answer);
  const desk = session.tree.find("supportDesk")!;
  expect(desk.children.map((c) => [c.node, c.kind, c.status])).toEqual([
    ["chat gpt-4o-mini", "llm", "ok"],
    ["orderStatus", "tool", "ok"],
    ["chat gpt-4o-mini", "llm", "ok"],
  ]);
  const [ask, lookup, reply] = desk.children as rt.CallRecord[];
  expect(ask!.output).toMatchObject({
    toolCalls: [{ name: "orderStatus", arguments: '{"orderId":"1042"}' }],
  });
  expect(lookup!.output).toEqual({ orderId: "1042", status: "shipped", eta: "2 days" });
  expect(reply!.events.filter((e) => e.name === "token")).toHaveLength(tokens.length);
  expect(reply!.output).toMatchObject({ text: answer, finishReason: "stop" });
  expect(session.tree.root.attributes["runtrace.model_calls"]).toBe(2);
  expect(session.tree.root.attributes["runtrace.cost_usd"]).toBeGreaterThan(0);
});
