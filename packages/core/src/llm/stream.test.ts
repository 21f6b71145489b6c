import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import * as rt from "../index.js";

beforeEach(() => {
  rt.configure({ store: null });
});

function tokenEvents(record: rt.CallRecord): string[] {
  return record.events.filter((e) => e.name === "token").map((e) => (e.data as { text: string }).text);
}

describe("rt.stream", () => {
  it("yields tokens as they arrive, records each as a `token` event, and the parent waits for the call", async () => {
    const model = rt.scriptedModel([{ text: "Paris is the capital of France.", tokenDelayMs: 15 }]);
    const answer = rt.llmNode({ name: "answer", model });
    const parent = rt.functionNode(
      async (question: string) => {
        const tokens: string[] = [];
        let runningAtFirstToken: string | undefined;
        for await (const token of rt.stream(answer, question)) {
          if (tokens.length === 0) runningAtFirstToken = session.tree.find("answer")?.status;
          tokens.push(token);
        }
        return { tokens, runningAtFirstToken };
      },
      { name: "parent" },
    );
    const session = new rt.Session();
    const out = await session.run(() => parent("Capital of France?"));

    expect(out.tokens.join("")).toBe("Paris is the capital of France.");
    expect(out.tokens.length).toBeGreaterThan(3);
    // The first token reached the reader while the call was still streaming.
    expect(out.runningAtFirstToken).toBe("running");
    const streamed = session.tree.find("answer")!;
    expect(streamed.parentId).toBe(session.tree.find("parent")!.id);
    expect(streamed.status).toBe("ok");
    expect(streamed.output).toBe("Paris is the capital of France.");
    expect(tokenEvents(streamed)).toEqual(out.tokens);
    expect(streamed.attributes["runtrace.model.time_to_first_token_ms"]).toBeTypeOf("number");
    expect(streamed.end!).toBeLessThanOrEqual(session.tree.find("parent")!.end!);
  });

  it("ends the call `cancelled` when the reader stops early, and stops the model", async () => {
    const model = rt.scriptedModel([{ text: "one two three four five six seven eight", tokenDelayMs: 20 }]);
    const answer = rt.llmNode({ name: "answer", model });
    const session = new rt.Session();
    const seen: string[] = [];
    await session.run(async () => {
      for await (const token of rt.stream(answer, "count")) {
        seen.push(token);
        if (seen.length === 2) break;
      }
    });
    const record = session.tree.find("answer")!;
    expect(record.status).toBe("cancelled");
    expect(record.error?.message).toMatch(/stopped before the end/);
    expect(tokenEvents(record)).toEqual(seen);
    expect(session.tree.root.status).toBe("ok");
  });

  it("ends the call `cancelled` when its signal aborts", async () => {
    const model = rt.scriptedModel([{ text: "slow reply", delayMs: 5_000 }]);
    const answer = rt.llmNode({ name: "answer", model });
    const controller = new AbortController();
    const session = new rt.Session();
    const started = performance.now();
    const error = await session
      .run(async () => {
        setTimeout(() => controller.abort("user left"), 30);
        for await (const _ of rt.stream(answer, "?", { signal: controller.signal })) {
          // nothing arrives
        }
      })
      .catch((e: unknown) => e);
    expect(rt.isCancelledError(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(session.tree.find("answer")!.status).toBe("cancelled");
  });

  it("streams an agent's reply, with the token events on the agent's call", async () => {
    const clock = rt.functionNode(() => "12:00", { name: "clock", kind: "tool" });
    const model = rt.scriptedModel([
      { toolCalls: [{ name: "clock" }] },
      { text: "It is noon.", tokenDelayMs: 5 },
    ]);
    const agent = rt.agentNode({ name: "timekeeper", model, tools: [clock] });
    const session = new rt.Session();
    const text = await session.run(async () => {
      let all = "";
      for await (const token of rt.stream(agent, "What time is it?")) all += token;
      return all;
    });
    expect(text).toBe("It is noon.");
    const top = session.tree.find("timekeeper")!;
    expect(tokenEvents(top).join("")).toBe("It is noon.");
    expect(top.children.map((c) => c.node)).toEqual(["chat scripted", "clock", "chat scripted"]);
    // Tokens go to the streamed call only, not to calls nested below it.
    expect(top.children.every((c) => tokenEvents(c).length === 0)).toBe(true);
  });

  it("gives the reader the error after the text received so far", async () => {
    const model = rt.scriptedModel([{ error: "overloaded" }]);
    const answer = rt.llmNode({ name: "answer", model });
    const session = new rt.Session();
    const error = await session
      .run(async () => {
        for await (const _ of rt.stream(answer, "?")) {
          // no text
        }
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(rt.ModelError);
    expect(session.tree.find("answer")!.status).toBe("error");
  });

  it("yields the whole output of a node that does not stream, and opens a session outside one", async () => {
    const shout = rt.functionNode((s: string) => s.toUpperCase(), { name: "shout" });
    const pieces: string[] = [];
    for await (const piece of rt.stream(shout, "hey")) pieces.push(piece);
    expect(pieces).toEqual(["HEY"]);

    const structured = rt.agentNode({
      name: "structured",
      model: rt.scriptedModel(['{"ok":true}']),
      tools: [],
      output: z.object({ ok: z.boolean() }),
    });
    let text = "";
    for await (const piece of rt.stream(structured, "?")) text += piece;
    expect(text).toBe('{"ok":true}');
  });

  it("throws NotANodeError naming rt.stream, before anything runs, when given a plain function", async () => {
    const store = rt.memoryStore();
    rt.configure({ store });
    function summarise(text: string) {
      return text;
    }
    let error: unknown;
    try {
      rt.stream(summarise as any, "hi");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(rt.NotANodeError);
    expect((error as Error).message).toBe(
      "rt.stream expected a node, got function summarise. Wrap it first: const node = rt.functionNode(summarise); then rt.stream(node, input).",
    );
    // No session was opened for it.
    await rt.flush();
    expect(await store.listSessions()).toEqual([]);
  });
});

describe("llmNode", () => {
  it("sends system and prompt, records the GenAI attributes, and returns the text", async () => {
    const model = rt.scriptedModel([{ text: "Bonjour", usage: { inputTokens: 12, outputTokens: 3 } }], {
      name: "tiny-model",
      price: { inputPerMillion: 1, outputPerMillion: 4 },
    });
    const french = rt.llmNode({ name: "french", model, system: "Answer in French.", prompt: "Say: {input}" });
    expect(french.kind).toBe("llm");
    expect(french.toolSchema().parameters.properties).toHaveProperty("input");
    const session = new rt.Session();
    expect(await session.run(() => french("hello"))).toBe("Bonjour");
    expect(model.requests[0]!.messages).toEqual([
      { role: "system", content: "Answer in French." },
      { role: "user", content: "Say: hello" },
    ]);
    const record = session.tree.find("french")!;
    expect(record.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "tiny-model",
      "gen_ai.provider.name": "scripted",
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 3,
      "runtrace.cost_usd": (12 * 1 + 3 * 4) / 1e6,
    });
    expect(record.attributes["runtrace.model.latency_ms"]).toBeTypeOf("number");
  });

  it("takes an object input (several flow steps) as JSON, and a prompt function", async () => {
    const model = rt.scriptedModel([(request) => request.messages.at(-1)!.content]);
    const echo = rt.llmNode({ name: "echo", model, prompt: (input) => `<${input}>` });
    expect(await rt.session("echo", () => echo({ a: 1 } as never))).toBe('<{"a":1}>');
  });

  it("fails with a clear ModelError when the script runs out", async () => {
    const node = rt.llmNode({ name: "once", model: rt.scriptedModel(["only reply"]) });
    await rt.session("s", () => node("1"));
    const error = await rt.session("s", () => node("2")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(rt.ModelError);
    expect((error as Error).message).toMatch(/no reply left for request 2: its script has 1 reply/);
  });

  it("honours the abort signal during simulated latency (timeoutMs)", async () => {
    const node = rt.llmNode({
      name: "slow",
      model: rt.scriptedModel([{ text: "late", delayMs: 5_000 }]),
      timeoutMs: 50,
    });
    const session = new rt.Session();
    const started = performance.now();
    await expect(session.run(() => node("?"))).rejects.toBeInstanceOf(rt.NodeTimeoutError);
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(session.tree.find("slow")!.status).toBe("timeout");
  });
});
