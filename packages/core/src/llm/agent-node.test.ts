import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import * as rt from "../index.js";

beforeEach(() => {
  rt.configure({ store: null });
});

function overlap(a: rt.CallRecord, b: rt.CallRecord): boolean {
  return a.start < b.end! && b.start < a.end!;
}

function toolMessages(request: rt.ModelRequest): string[] {
  return request.messages.filter((m) => m.role === "tool").map((m) => m.content);
}

const weather = rt.functionNode(
  async (city: string) => {
    await sleep(80, undefined, { signal: rt.signal() });
    return { city, celsius: city === "Oslo" ? 4 : 19 };
  },
  { name: "weather", description: "Current weather in a city", params: [["city", z.string()]] },
);

describe("agentNode: parallel tool calls", () => {
  it("runs the two tool calls of one turn at the same time: agent → chat → execute_tool ×2 → chat", async () => {
    const model = rt.scriptedModel([
      {
        toolCalls: [
          { name: "weather", arguments: { city: "Oslo" } },
          { name: "weather", arguments: { city: "Rome" } },
        ],
      },
      (request) => `Compared: ${toolMessages(request).join(" | ")}`,
    ]);
    const agent = rt.agentNode({ name: "planner", model, system: "Compare cities.", tools: [weather] });
    const session = new rt.Session({ name: "compare" });
    const answer = await session.run(() => agent("Is Oslo warmer than Rome?"));

    expect(answer).toBe('Compared: {"city":"Oslo","celsius":4} | {"city":"Rome","celsius":19}');
    const top = session.tree.root.children[0]!;
    expect(top.node).toBe("planner");
    expect(top.kind).toBe("agent");
    expect(top.children.map((c) => [c.node, c.kind])).toEqual([
      ["chat scripted", "llm"],
      ["weather", "tool"],
      ["weather", "tool"],
      ["chat scripted", "llm"],
    ]);
    // Read by operation (what tracing exports as span names): chat, execute_tool ×2, chat.
    expect(top.children.map((c) => c.attributes["gen_ai.operation.name"])).toEqual([
      "chat",
      "execute_tool",
      "execute_tool",
      "chat",
    ]);
    const [first, a, b, second] = top.children as [
      rt.CallRecord,
      rt.CallRecord,
      rt.CallRecord,
      rt.CallRecord,
    ];
    expect(overlap(a, b)).toBe(true);
    expect(a.start).toBeGreaterThanOrEqual(first.end!);
    expect(second.start).toBeGreaterThanOrEqual(Math.max(a.end!, b.end!));
    expect(a.input).toEqual(["Oslo"]);
    expect(b.output).toEqual({ city: "Rome", celsius: 19 });
    expect(a.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "weather",
      "gen_ai.tool.call.id": "call_1_1",
    });
    expect(b.attributes["gen_ai.tool.call.id"]).toBe("call_1_2");
    expect(top.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.name": "planner",
      "runtrace.agent.turns": 2,
    });
    expect(first.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "scripted",
      "gen_ai.provider.name": "scripted",
    });
    // The second turn saw the assistant's tool calls and both results, in the order asked.
    const request = model.requests[1]!;
    expect(request.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "tool"]);
    expect(request.tools?.map((t) => t.name)).toEqual(["weather"]);
    // The node registered by the user is untouched: still kind "function".
    expect(rt.registry.get("weather")?.kind).toBe("function");
  });

  it("runs an llm node given as a tool under a record of kind tool, keeping its own kind", async () => {
    const translator = rt.llmNode({
      name: "translate",
      model: rt.scriptedModel(["Bonjour"]),
      system: "Translate to French.",
    });
    const model = rt.scriptedModel([
      { toolCalls: [{ name: "translate", arguments: { input: "Hello" } }] },
      (request) => `French: ${toolMessages(request)[0]}`,
    ]);
    const agent = rt.agentNode({ name: "polyglot", model, tools: [translator] });
    const session = new rt.Session();
    expect(await session.run(() => agent("Say hello in French"))).toBe("French: Bonjour");
    const wrapper = session.tree.find("translate")!;
    expect(wrapper.kind).toBe("tool");
    expect(wrapper.children.map((c) => [c.node, c.kind])).toEqual([["translate", "llm"]]);
  });
});

describe("agentNode: loop limits and failing tools", () => {
  it("ends with AgentLoopError, recorded, when the model still wants tools after maxTurns", async () => {
    const model = rt.scriptedModel([{ toolCalls: [{ name: "weather", arguments: { city: "Oslo" } }] }], {
      loop: true,
    });
    const agent = rt.agentNode({ name: "stubborn", model, tools: [weather], maxTurns: 3 });
    const session = new rt.Session();
    const error = await session.run(() => agent("weather?")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(rt.AgentLoopError);
    expect((error as rt.AgentLoopError).code).toBe("RUNTRACE_AGENT_LOOP");
    expect((error as Error).message).toContain("maxTurns: 3");
    expect((error as Error).message).toContain("weather");
    const top = session.tree.find("stubborn")!;
    expect(top.status).toBe("error");
    expect(top.error?.name).toBe("AgentLoopError");
    expect(top.children.map((c) => c.node)).toEqual([
      "chat scripted",
      "weather",
      "chat scripted",
      "weather",
      "chat scripted",
    ]);
    expect(session.tree.root.status).toBe("error");
  });

  it("gives the model the error text of a throwing tool and finishes", async () => {
    const inventory = rt.functionNode(
      async (_sku: string): Promise<number> => {
        throw new Error("inventory database is down");
      },
      { name: "inventory", kind: "tool", params: [["sku", z.string()]] },
    );
    const model = rt.scriptedModel([
      {
        toolCalls: [
          { name: "inventory", arguments: { sku: "A-1" } },
          { name: "nosuch", arguments: {} },
        ],
      },
      (request) => {
        const [first, second] = toolMessages(request);
        return `I could not check stock (${first}); also ${second}`;
      },
    ]);
    const agent = rt.agentNode({ name: "clerk", model, tools: [inventory] });
    const session = new rt.Session();
    const answer = await session.run(() => agent("Is A-1 in stock?"));

    expect(answer).toContain("(Error: inventory database is down)");
    expect(answer).toContain('no tool named "nosuch"');
    const failed = session.tree.find("inventory")!;
    expect(failed.status).toBe("error");
    expect(failed.error?.message).toBe("inventory database is down");
    expect(session.tree.find("clerk")!.status).toBe("ok");
  });

  it("reports invalid arguments to the model (validation by the tool's params) and goes on", async () => {
    const model = rt.scriptedModel([
      { toolCalls: [{ name: "weather", arguments: { city: 42 } }] },
      (request) => toolMessages(request)[0]!,
    ]);
    const agent = rt.agentNode({ name: "typo", model, tools: [weather] });
    const answer = await rt.session("typo", () => agent("?"));
    expect(answer).toMatch(/^Error: ValidationError: Invalid argument "city" for node "weather"/);
  });

  it("validates the final answer with `output` and asks the model once to repair it", async () => {
    const model = rt.scriptedModel(["The answer is Oslo", '```json\n{"city":"Oslo","celsius":4}\n```']);
    const agent = rt.agentNode({
      name: "structured",
      model,
      tools: [],
      output: z.object({ city: z.string(), celsius: z.number() }),
    });
    const session = new rt.Session();
    const out = await session.run(() => agent("Coldest city?"));
    expect(out).toEqual({ city: "Oslo", celsius: 4 });
    expect(model.requests[0]!.messages[0]!.content).toContain("JSON Schema");
    expect(model.requests[1]!.messages.at(-1)!.content).toContain("does not match");
    const top = session.tree.find("structured")!;
    expect(top.events.map((e) => e.name)).toEqual(["output_invalid"]);
    expect(top.output).toEqual({ city: "Oslo", celsius: 4 });

    const never = rt.agentNode({
      name: "never",
      model: rt.scriptedModel(["nope", "still nope"]),
      tools: [],
      output: z.object({ ok: z.boolean() }),
    });
    await expect(rt.session("never", () => never("?"))).rejects.toThrow(/after one repair/);
  });

  it("rejects bad options at definition with the fix", () => {
    const model = rt.scriptedModel([]);
    expect(() => rt.agentNode({ name: "a", model, tools: [(() => 1) as never] })).toThrow(/rt\.functionNode/);
    expect(() => rt.agentNode({ name: "a", model, tools: [], maxTurns: 0 })).toThrow(/maxTurns/);
    expect(() => rt.agentNode({ name: "a", model: {} as never, tools: [] })).toThrow(/rt\.openaiCompatible/);
    expect(() => rt.agentNode({ name: "a", model, tools: [weather, weather] })).toThrow(/two tools/);
  });
});

describe("usage and cost", () => {
  it("sums token usage on the agent's record and on the session's root", async () => {
    const price = { inputPerMillion: 2, outputPerMillion: 10 };
    const model = rt.scriptedModel(
      [
        {
          toolCalls: [{ name: "weather", arguments: { city: "Oslo" } }],
          usage: { inputTokens: 100, outputTokens: 20 },
        },
        { text: "Cold.", usage: { inputTokens: 150, outputTokens: 5 } },
      ],
      { price },
    );
    const summary = rt.llmNode({
      name: "headline",
      model: rt.scriptedModel([{ text: "Cold in Oslo", usage: { inputTokens: 30, outputTokens: 4 } }]),
    });
    const agent = rt.agentNode({ name: "forecaster", model, tools: [weather] });
    const session = new rt.Session();
    await session.run(async () => summary(await agent("Oslo?")));

    const top = session.tree.find("forecaster")!;
    expect(top.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 250,
      "gen_ai.usage.output_tokens": 25,
      "runtrace.model_calls": 2,
      "runtrace.cost_usd": (250 * 2 + 25 * 10) / 1e6,
    });
    const chats = session.tree.findAll("chat scripted");
    expect(chats.map((c) => c.attributes["gen_ai.usage.input_tokens"])).toEqual([100, 150]);
    expect(chats[0]!.attributes["runtrace.cost_usd"]).toBe((100 * 2 + 20 * 10) / 1e6);
    expect(typeof chats[0]!.attributes["runtrace.model.latency_ms"]).toBe("number");
    expect(session.tree.root.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 280,
      "gen_ai.usage.output_tokens": 29,
      "runtrace.model_calls": 3,
    });
    const headline = session.tree.find("headline")!;
    expect(headline.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.usage.input_tokens": 30,
      "gen_ai.usage.output_tokens": 4,
    });
    expect(headline.attributes["runtrace.cost_usd"]).toBeUndefined();
  });

  it("keeps the sums of concurrent sessions apart", async () => {
    const runs = Array.from({ length: 20 }, (_, i) => {
      const model = rt.scriptedModel([
        { text: "ok", usage: { inputTokens: i, outputTokens: 1 }, delayMs: 5 },
      ]);
      const node = rt.llmNode({ name: `n${i}`, model });
      const session = new rt.Session();
      return session.run(() => node("x")).then(() => session.tree.root.attributes);
    });
    const roots = await Promise.all(runs);
    roots.forEach((attributes, i) => {
      expect(attributes["gen_ai.usage.input_tokens"]).toBe(i);
    });
  });
});
