import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import * as rt from "../index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("what a finished session leaves behind", () => {
  it("lets its tree go once the program drops it, though no call came after it", async () => {
    const collected: string[] = [];
    const registry = new FinalizationRegistry<string>((name) => collected.push(name));
    const node = rt.functionNode(async () => 1, { name: "n" });
    const runOnce = async () => {
      const session = new rt.Session({ name: "dropped", store: null });
      registry.register(session.tree, "tree");
      await session.run(async () => {
        for (let i = 0; i < 3; i++) await rt.call(node);
      });
    };
    await runOnce();
    // Nothing runs after the session: what runtrace keeps of its last call must not hold its tree.
    for (let i = 0; i < 3 && collected.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gc();
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(collected).toEqual(["tree"]);
  });
});
