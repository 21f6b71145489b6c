import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import * as rt from "../index.js";

beforeEach(() => {
  rt.configure({ store: null });
});

class SearchTools {
  constructor(readonly prefix: string) {}

  @rt.functionNode
  async search(query: string): Promise<string> {
    return `${this.prefix}:${query}`;
  }

  @rt.functionNode({ kind: "tool", description: "Fetches a page", params: [["url", z.string().url()]] })
  fetchPage(url: string): string {
    return `${this.prefix} fetched ${url}`;
  }

  @rt.functionNode({ name: "tools.both" })
  async both(query: string): Promise<string[]> {
    return Promise.all([rt.call(this.search, query), this.fetchPage(`https://example.com/?q=${query}`)]);
  }

  @rt.functionNode
  static version(): string {
    // biome-ignore lint/complexity/noThisInStatic: the test is that `this` stays the class
    return `v1 of ${this.name}`;
  }
}

describe("@rt.functionNode (TC39 decorators)", () => {
  it("keeps `this`, names methods Class.method, and records both call styles", async () => {
    const tools = new SearchTools("web");
    const session = new rt.Session({ name: "tools" });
    const result = await session.run(async () => {
      const viaCall = await rt.call(tools.search, "cats");
      const direct = await tools.search("dogs");
      const { fetchPage } = tools; // detached: still bound
      const detached = await fetchPage("https://example.com");
      const both = await tools.both("owls");
      return [viaCall, direct, detached, both];
    });
    expect(result).toEqual([
      "web:cats",
      "web:dogs",
      "web fetched https://example.com",
      ["web:owls", "web fetched https://example.com/?q=owls"],
    ]);
    const names = session.tree.root.children.map((r) => r.node);
    expect(names).toEqual([
      "SearchTools.search",
      "SearchTools.search",
      "SearchTools.fetchPage",
      "tools.both",
    ]);
    const both = session.tree.find("tools.both")!;
    expect(both.children.map((r) => r.node)).toEqual(["SearchTools.search", "SearchTools.fetchPage"]);
    expect(session.tree.find("SearchTools.fetchPage")?.kind).toBe("tool");
  });

  it("binds each instance separately and validates params", async () => {
    const a = new SearchTools("a");
    const b = new SearchTools("b");
    expect(await rt.call(a.search, "x")).toBe("a:x");
    expect(await rt.call(b.search, "x")).toBe("b:x");
    await expect(rt.call(a.fetchPage, "not a url")).rejects.toBeInstanceOf(rt.ValidationError);
    expect((a.fetchPage as unknown as rt.Node).toolSchema()).toMatchObject({
      name: "SearchTools_fetchPage",
      description: "Fetches a page",
      parameters: { type: "object", required: ["url"] },
    });
  });

  it("supports static methods and registers decorated methods by name", async () => {
    expect(await rt.call(SearchTools.version)).toBe("v1 of SearchTools");
    new SearchTools("r");
    expect(rt.registry.has("SearchTools.search")).toBe(true);
    expect(rt.registry.get("tools.both")?.name).toBe("tools.both");
    expect(rt.registry.list().map((n) => n.name)).toContain("SearchTools.version");
  });

  it("rt.call on a decorated method read from the prototype says to call it on an instance", async () => {
    class Fresh {
      @rt.functionNode
      async lookup(query: string): Promise<string> {
        return query;
      }
    }
    // No instance yet: the class's name is not known to a TC39 method decorator.
    const before = await rt.call(Fresh.prototype.lookup, "q").catch((e: unknown) => e);
    expect(before).toBeInstanceOf(rt.NotANodeError);
    expect((before as Error).message).toContain("got function lookup");
    expect((before as Error).message).toContain(
      "read from its class's prototype (YourClass.prototype.lookup)",
    );
    expect((before as Error).message).toContain("rt.call(instance.lookup, ...args)");
    expect((before as Error).message).not.toContain("Wrap it first");

    const fresh = new Fresh();
    expect(await rt.call(fresh.lookup, "q")).toBe("q");
    const after = await rt.callWith({}, SearchTools.prototype.search, "q").catch((e: unknown) => e);
    expect((after as Error).message).toMatch(
      /^rt\.callWith expected a node, got function search\. It is the method search read from its class's prototype \(SearchTools\.prototype\.search\)/,
    );
    expect((after as Error).message).toContain(
      "Call it on an instance: rt.callWith(new SearchTools().search, ...args), or rt.callWith(searchTools.search, ...args)",
    );
    // Called with a `this`, the prototype's method is still the traced node of that instance.
    const session = new rt.Session({ name: "proto" });
    await session.run(() => SearchTools.prototype.search.call(new SearchTools("p"), "x"));
    expect(session.tree.root.children.map((r) => r.node)).toEqual(["SearchTools.search"]);
  });

  it("an agent's tool or a flow step given a prototype's method says to use an instance", () => {
    expect(() =>
      rt.agentNode({
        name: "agent",
        model: rt.scriptedModel([]),
        tools: [SearchTools.prototype.search as any],
      }),
    ).toThrow(/tools\[0\]`.*SearchTools\.prototype\.search.*tools: \[new SearchTools\(\)\.search\]/);
    expect(() => rt.flow("f", { look: SearchTools.prototype.search as any })).toThrow(
      /step "look" is not a node.*look: new SearchTools\(\)\.search/,
    );
  });

  it("rejects bad decorator options at definition, with the fix", () => {
    expect(() => rt.functionNode({ concurrency: 0 })).toThrow(
      /expected `concurrency` to be a positive integer \(how many runs at once\), got 0 \(number\)/,
    );
    expect(() => rt.functionNode({ kind: "robot" as any })).toThrow(
      /expected `kind` to be one of "function", "tool"/,
    );
    expect(() => rt.functionNode({ timeOut: 5 } as any)).toThrow(
      /unknown option `timeOut` \(did you mean `timeoutMs`\?\)\. Known options: name, kind/,
    );
  });
});

describe("rt.functionNode(fn)", () => {
  it("makes a callable node with readable properties", async () => {
    const double = rt.functionNode((n: number) => n * 2, { name: "double", kind: "tool", description: "x2" });
    expect(double.name).toBe("double");
    expect(double.kind).toBe("tool");
    expect(double.description).toBe("x2");
    expect(double.options).toMatchObject({ kind: "tool" });
    const result: number = await double(21);
    expect(result).toBe(42);
    expect(rt.registry.get("double")).toBe(double);
  });

  it("uses the function's name, and 'anonymous' for a nameless one", () => {
    function fetchWeather() {
      return "sunny";
    }
    expect(rt.functionNode(fetchWeather).name).toBe("fetchWeather");
    expect(rt.functionNode(() => 1).name).toBe("anonymous");
  });
});

describe("rt.toolsOf and rt.NODE_METADATA (TC39 decorators)", () => {
  class Base {
    @rt.functionNode({ kind: "tool", description: "base lookup" })
    lookup(id: string): string {
      return `base ${id}`;
    }
  }
  class Catalog extends Base {
    @rt.functionNode({ kind: "tool", params: [["query", z.string()]] })
    find(query: string): string {
      return `found ${query}`;
    }

    helper(): string {
      return "not a node";
    }
  }

  it("lists an instance's decorated methods, its base class's too, bound to it", async () => {
    const catalog = new Catalog();
    const tools = rt.toolsOf(catalog);
    expect(tools.map((node) => node.name).sort()).toEqual(["Catalog.find", "Catalog.lookup"]);
    expect(await rt.call(tools.find((node) => node.name === "Catalog.find")!, "maps")).toBe("found maps");
    expect(rt.toolsOf(SearchTools).map((node) => node.name)).toEqual(["SearchTools.version"]);
    expect(() => rt.toolsOf(null as unknown as object)).toThrow(/rt.toolsOf expected an instance/);
  });

  it("publishes each node's description when reflect-metadata is loaded", async () => {
    await import("reflect-metadata");
    class Loaded {
      @rt.functionNode({ kind: "tool", description: "says hi", params: [["who", z.string()]] })
      greet(who: string): string {
        return `hi ${who}`;
      }
    }
    new Loaded();
    const metadata = Reflect.getMetadata(rt.NODE_METADATA, Loaded.prototype, "greet") as rt.NodeMetadata;
    expect(metadata).toMatchObject({
      key: "greet",
      name: "Loaded.greet",
      kind: "tool",
      description: "says hi",
    });
    expect(metadata.parameters?.properties).toEqual({ who: { type: "string" } });
  });
});
