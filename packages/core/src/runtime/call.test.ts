import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import * as rt from "../index.js";

beforeEach(() => {
  rt.configure({ store: null });
});

function within(child: rt.CallRecord, parent: rt.CallRecord): void {
  expect(child.start).toBeGreaterThanOrEqual(parent.start);
  expect(child.end!).toBeLessThanOrEqual(parent.end!);
}

describe("the modifyText scenario", () => {
  const splitText = rt.functionNode((text: string) => text.split(" "), { name: "splitText" });
  const alternateCapitalization = rt.functionNode(
    async (word: string) => {
      await sleep(5 + Math.random() * 10);
      return [...word].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
    },
    { name: "alternateCapitalization" },
  );
  const modifyText = rt.functionNode(
    async (text: string) => {
      const words = await rt.call(splitText, text);
      const modified = await Promise.all(words.map((w) => rt.call(alternateCapitalization, w)));
      return modified.join(" ");
    },
    { name: "modifyText" },
  );

  it("records session → modifyText → splitText and one child per word, in order, all ok, nested in time", async () => {
    const session = new rt.Session({ name: "modify" });
    const out = await session.run(() => rt.call(modifyText, "Hello big World"));
    expect(out).toBe("hELLO BIG wORLD");

    const tree = session.tree;
    expect(tree.root.kind).toBe("session");
    expect(tree.root.status).toBe("ok");
    expect(tree.root.children.map((c) => c.node)).toEqual(["modifyText"]);
    const top = tree.root.children[0]!;
    expect(top.children.map((c) => c.node)).toEqual([
      "splitText",
      "alternateCapitalization",
      "alternateCapitalization",
      "alternateCapitalization",
    ]);
    expect(top.children.slice(1).map((c) => c.input)).toEqual([["Hello"], ["big"], ["World"]]);
    expect(top.children.slice(1).map((c) => c.output)).toEqual(["hELLO", "BIG", "wORLD"]);
    for (const record of tree) {
      expect(record.status).toBe("ok");
      expect(record.sessionId).toBe(session.id);
    }
    within(top, tree.root);
    for (const child of top.children) within(child, top);
    expect(tree.size).toBe(5);
    expect(tree.find("splitText")?.output).toEqual(["Hello", "big", "World"]);
    expect(tree.findAll("alternateCapitalization")).toHaveLength(3);
    expect(tree.get(top.id)).toBe(top);
  });

  it("a node called directly is the same as rt.call, and outside a session opens one named after it", async () => {
    const seen: Array<string | undefined> = [];
    const probe = rt.functionNode(
      () => {
        seen.push(rt.current()?.sessionId);
        return rt.current()?.node;
      },
      { name: "probe" },
    );
    const store = rt.memoryStore();
    rt.configure({ store });
    expect(await probe()).toBe("probe");
    expect(await rt.call(probe)).toBe("probe");
    const sessions = await store.listSessions();
    expect(sessions).toHaveLength(2);
    expect(sessions.map((s) => s.name)).toEqual(["probe", "probe"]);
    expect(new Set(seen).size).toBe(2);
  });
});

describe("errors", () => {
  it("reaches the caller as the very same object and is recorded; siblings keep their outcomes", async () => {
    const boom = new TypeError("model returned nonsense");
    const failing = rt.functionNode(
      async () => {
        await sleep(2);
        throw boom;
      },
      { name: "failing" },
    );
    const fine = rt.functionNode(async (n: number) => n * 2, { name: "fine" });
    const session = new rt.Session({ name: "errors" });
    const results = await session.run(() =>
      Promise.allSettled([rt.call(fine, 1), rt.call(failing), rt.call(fine, 2)]),
    );
    expect(results[0]).toEqual({ status: "fulfilled", value: 2 });
    expect(results[1]).toEqual({ status: "rejected", reason: boom });
    expect((results[1] as PromiseRejectedResult).reason).toBe(boom);
    expect(results[2]).toEqual({ status: "fulfilled", value: 4 });
    const record = session.tree.find("failing")!;
    expect(record.status).toBe("error");
    expect(record.error).toMatchObject({ name: "TypeError", message: "model returned nonsense" });
    expect(record.error?.stack).toContain("model returned nonsense");
    expect(session.tree.findAll("fine").map((r) => r.status)).toEqual(["ok", "ok"]);
  });

  it("a session whose function throws ends in error and run rejects with that error", async () => {
    const error = new Error("bad session");
    const session = new rt.Session({ name: "failing-session" });
    await expect(session.run(() => Promise.reject(error))).rejects.toBe(error);
    expect(session.status).toBe("error");
    expect(session.tree.root.error?.message).toBe("bad session");
  });

  it("a session runs once", async () => {
    const session = new rt.Session();
    await session.run(() => 1);
    await expect(session.run(() => 2)).rejects.toBeInstanceOf(rt.SessionError);
    await expect(session.run(() => 2)).rejects.toThrow(/already run.*new rt\.Session/);
  });

  it("rt.call on a plain function rejects with NotANodeError showing how to wrap it", async () => {
    function summarise(text: string) {
      return text.slice(0, 10);
    }
    const error = await rt.call(summarise as any, "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(rt.NotANodeError);
    expect((error as rt.NotANodeError).code).toBe("RUNTRACE_NOT_A_NODE");
    expect((error as Error).message).toContain("function summarise");
    expect((error as Error).message).toContain("rt.functionNode(summarise)");
    await expect(rt.call(42 as any)).rejects.toThrow(/expected a node, got 42 \(number\)/);
  });

  it("arguments that fail params reject with ValidationError naming node and parameter, recorded", async () => {
    const search = rt.functionNode((query: string, limit: number) => `${query}:${limit}`, {
      name: "search",
      params: [
        ["query", z.string().min(1)],
        ["limit", z.number().int().max(50).default(10)],
      ],
    });
    const session = new rt.Session();
    const error = await session.run(() => rt.call(search, "cats", 500)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(rt.ValidationError);
    expect((error as rt.ValidationError).node).toBe("search");
    expect((error as rt.ValidationError).parameter).toBe("limit");
    expect((error as Error).message).toMatch(/argument "limit" for node "search".*500/);
    expect(session.tree.find("search")).toMatchObject({
      status: "error",
      error: { name: "ValidationError" },
    });
    // zod defaults apply
    expect(await rt.session("defaults", () => rt.call(search as any, "dogs"))).toBe("dogs:10");
  });

  it("params give the tool schema", () => {
    const search = rt.functionNode((query: string, limit?: number) => `${query}:${limit}`, {
      name: "web.search",
      description: "Searches the web",
      params: [
        ["query", z.string().describe("what to look for")],
        ["limit", z.number().optional()],
      ],
    });
    expect(search.toolSchema()).toEqual({
      name: "web_search",
      description: "Searches the web",
      parameters: {
        type: "object",
        properties: {
          query: { type: "string", description: "what to look for" },
          limit: { type: "number" },
        },
        required: ["query"],
        additionalProperties: false,
      },
    });
  });
});
