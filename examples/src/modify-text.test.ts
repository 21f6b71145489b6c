import * as rt from "@runtrace/core";
import { beforeEach, expect, it } from "vitest";
import { TextTools } from "./modify-text.js";

beforeEach(() => {
  rt.configure({ store: null });
});

it("records modifyText → splitText, then one swapCase per word, in word order", async () => {
  const tools = new TextTools();
  const session = new rt.Session({ name: "modify" });
  const out = await session.run(() => rt.call(tools.modifyText, "Hello big World"));

  expect(out).toBe("hELLO BIG wORLD");
  const [top] = session.tree.root.children;
  expect(top!.node).toBe("TextTools.modifyText");
  expect(top!.children.map((c) => c.node)).toEqual(["splitText", "swapCase", "swapCase", "swapCase"]);
  expect(top!.children.slice(1).map((c) => c.input)).toEqual([["Hello"], ["big"], ["World"]]);
  expect(top!.children.slice(1).map((c) => c.output)).toEqual(["hELLO", "BIG", "wORLD"]);
  for (const record of session.tree) expect(record.status).toBe("ok");
  // The decorated method is a node of its own, bound to its instance wherever it is passed.
  const { modifyText } = tools;
  expect(await rt.session("detached", () => modifyText("a B"))).toBe("A b");
});
