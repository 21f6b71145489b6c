import * as rt from "@runtrace/core";
import { beforeEach, expect, it } from "vitest";
import { makeMarketingFlow, offlineModel } from "./marketing-message.js";

beforeEach(() => {
  rt.configure({ store: null });
});

it("runs the four lookup sub-flows in parallel, then the LLM summary", async () => {
  const model = offlineModel();
  const marketing = makeMarketingFlow(model);
  const session = new rt.Session({ name: "marketing" });
  const message = await session.run(() => marketing("alice"));

  expect(message).toBe(
    "Happy Thursday, Alice! Loved your trail running shoes? Today only: running socks (-30%), picked for you.",
  );
  const top = session.tree.find("marketingMessage")!;
  expect(top.kind).toBe("flow");
  expect(top.children.map((c) => [c.node, c.kind])).toEqual([
    ["time", "flow"],
    ["user", "flow"],
    ["purchases", "flow"],
    ["sale", "flow"],
    ["message", "llm"],
  ]);
  const lookups = top.children.slice(0, 4);
  expect(lookups.map((c) => c.children.map((t) => [t.node, t.kind]))).toEqual([
    [["getCurrentTime", "tool"]],
    [["getUserInfo", "tool"]],
    [["getPurchaseHistory", "tool"]],
    [["getItemsOnSale", "tool"]],
  ]);
  // The sub-flows overlap, and the summary starts after all four have finished.
  expect(Math.max(...lookups.map((c) => c.start))).toBeLessThan(Math.min(...lookups.map((c) => c.end!)));
  const writer = top.children[4]!;
  expect(writer.start).toBeGreaterThanOrEqual(Math.max(...lookups.map((c) => c.end!)));
  // The writer was given every lookup's output, merged.
  expect(model.requests[0]!.messages.at(-1)!.content).toContain('"purchases":["trail running shoes"');
  expect(writer.attributes["runtrace.cost_usd"]).toBeGreaterThan(0);
  expect(marketing.toJSON().steps.map((s) => s.name)).toEqual([
    "time",
    "user",
    "purchases",
    "sale",
    "message",
  ]);
});
