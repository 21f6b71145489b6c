// Compiled with experimentalDecorators: the same decorator, the legacy protocol.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as rt from "../index.js";

rt.configure({ store: null });

class LegacyTools {
  constructor(readonly prefix: string) {}

  @rt.functionNode
  async search(query: string): Promise<string> {
    return `${this.prefix}:${query}`;
  }

  @rt.functionNode({ kind: "tool", params: [["n", z.number()]] })
  twice(n: number): number {
    return n * 2;
  }

  @rt.functionNode
  static ping(): string {
    // biome-ignore lint/complexity/noThisInStatic: the test is that `this` stays the class
    return `pong from ${this.name}`;
  }
}

describe("@rt.functionNode (experimentalDecorators)", () => {
  it("keeps `this`, names methods Class.method and records both call styles", async () => {
    const tools = new LegacyTools("legacy");
    const session = new rt.Session({ name: "legacy" });
    const out = await session.run(async () => [
      await rt.call(tools.search, "q"),
      await tools.search("direct"),
      await rt.call(tools.twice, 4),
      await rt.call(LegacyTools.ping),
    ]);
    expect(out).toEqual(["legacy:q", "legacy:direct", 8, "pong from LegacyTools"]);
    expect(session.tree.root.children.map((r) => r.node)).toEqual([
      "LegacyTools.search",
      "LegacyTools.search",
      "LegacyTools.twice",
      "LegacyTools.ping",
    ]);
    expect(session.tree.find("LegacyTools.twice")?.kind).toBe("tool");
  });

  it("validates params and binds per instance", async () => {
    const a = new LegacyTools("a");
    const b = new LegacyTools("b");
    expect(await rt.call(a.search, "1")).toBe("a:1");
    expect(await rt.call(b.search, "1")).toBe("b:1");
    expect(a.search).toBe(a.search);
    await expect(rt.call(a.twice, "4" as any)).rejects.toBeInstanceOf(rt.ValidationError);
  });

  it("rt.call on a decorated method read from the prototype says to call it on an instance", async () => {
    const error = await rt.call(LegacyTools.prototype.search, "q").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(rt.NotANodeError);
    expect((error as Error).message).toContain("(LegacyTools.prototype.search)");
    expect((error as Error).message).toContain(
      "Call it on an instance: rt.call(new LegacyTools().search, ...args), or rt.call(legacyTools.search, ...args)",
    );
    // With a `this` it is still the traced node of that instance; a static method stays a node.
    const session = new rt.Session({ name: "proto" });
    const out = await session.run(() => LegacyTools.prototype.search.call(new LegacyTools("p"), "x"));
    expect(out).toBe("p:x");
    expect(session.tree.root.children.map((r) => r.node)).toEqual(["LegacyTools.search"]);
    expect(await rt.call(LegacyTools.ping)).toBe("pong from LegacyTools");
  });
});

describe("rt.toolsOf (experimentalDecorators)", () => {
  it("lists an instance's decorated methods through their getters, and a class's static ones", async () => {
    const tools = rt.toolsOf(new LegacyTools("t"));
    expect(tools.map((node) => node.name)).toEqual(["LegacyTools.search", "LegacyTools.twice"]);
    expect(await rt.call(tools[1]!, 21)).toBe(42);
    expect(rt.toolsOf(LegacyTools).map((node) => node.name)).toEqual(["LegacyTools.ping"]);
  });
});
