/**
 * The Vercel AI SDK (`ai` with `@ai-sdk/openai`) against the OpenAI-compatible test server, its
 * model wrapped with `runtraceMiddleware()` and runtrace nodes as its tools (`aiTool`): model calls
 * and tool calls in the tree, in order, under the call that ran the AI SDK.
 */
import { createOpenAI } from "@ai-sdk/openai";
import * as rt from "@runtrace/core";
import { aiTool, aiTools, runtraceMiddleware } from "@runtrace/core/ai-sdk";
import {
  APICallError,
  generateObject,
  generateText,
  jsonSchema,
  stepCountIs,
  streamText,
  wrapLanguageModel,
} from "ai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { collectUnhandledRejections } from "../helpers/unhandled.js";
import { completion, startServer, streamChunks, type TestServer } from "../llm/server.js";

const KEY = "test-key-do-not-leak-7f3a9c1e";

let server: TestServer | undefined;
// Recording leaves no rejection unhandled, whatever the request did.
const unhandled = collectUnhandledRejections();

beforeEach(() => {
  rt.configure({ store: null });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  expect(unhandled).toEqual([]);
});

function chatModel(baseURL: string) {
  const provider = createOpenAI({ baseURL, apiKey: KEY });
  return wrapLanguageModel({
    model: provider.chat("test-model"),
    middleware: runtraceMiddleware({ prices: { "test-model": { inputPerMillion: 1, outputPerMillion: 2 } } }),
  });
}

const weather = rt.functionNode(async (city: string) => `${city}: sunny, 21°C`, {
  name: "weather",
  kind: "tool",
  description: "The forecast for a city",
  params: [["city", z.string()]],
});

/** A streamed reply that asks for tools: one chunk per call, then the finish chunk and usage. */
function toolCallChunks(calls: Array<{ id: string; name: string; arguments: unknown }>) {
  const base = { id: "chatcmpl-test", object: "chat.completion.chunk", model: "test-model-2025" };
  return [
    ...calls.map((call, index) => ({
      ...base,
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index,
                id: call.id,
                type: "function",
                function: { name: call.name, arguments: JSON.stringify(call.arguments) },
              },
            ],
          },
          finish_reason: null,
        },
      ],
    })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
    { ...base, choices: [], usage: { prompt_tokens: 30, completion_tokens: 8 } },
  ];
}

describe("runtraceMiddleware and aiTool with generateText", () => {
  it("records each step's model call and each tool call in order, under the call that ran generateText", async () => {
    server = await startServer([
      {
        json: completion({
          toolCalls: [
            { id: "call_oslo", name: "weather", arguments: { city: "Oslo" } },
            { id: "call_lima", name: "weather", arguments: { city: "Lima" } },
          ],
          usage: { input: 30, output: 8 },
        }),
      },
      { json: completion({ text: "Oslo and Lima are sunny.", usage: { input: 60, output: 7 } }) },
    ]);
    const model = chatModel(server.baseURL);
    const planner = rt.functionNode(
      async (question: string) => {
        const result = await generateText({
          model,
          prompt: question,
          tools: { weather: aiTool(weather) },
          stopWhen: stepCountIs(3),
        });
        return result.text;
      },
      { name: "planner" },
    );
    const session = new rt.Session();
    expect(await session.run(() => planner("Weather in Oslo and Lima?"))).toBe("Oslo and Lima are sunny.");

    const calls = session.tree.find("planner")!.children;
    expect(calls.map((c) => [c.node, c.kind, c.status])).toEqual([
      ["chat test-model", "llm", "ok"],
      ["weather", "tool", "ok"],
      ["weather", "tool", "ok"],
      ["chat test-model", "llm", "ok"],
    ]);
    const [ask, oslo, lima, answer] = calls as rt.CallRecord[];
    // Each model call ended before the tools it asked for started.
    expect(ask!.end).toBeLessThanOrEqual(Math.min(oslo!.start, lima!.start));
    expect(Math.max(oslo!.end!, lima!.end!)).toBeLessThanOrEqual(answer!.start);

    expect(ask!.input).toEqual([
      {
        messages: [{ role: "user", content: [{ type: "text", text: "Weather in Oslo and Lima?" }] }],
        tools: ["weather"],
      },
    ]);
    expect(ask!.output).toEqual({
      text: "",
      toolCalls: [
        { id: "call_oslo", name: "weather", arguments: '{"city":"Oslo"}' },
        { id: "call_lima", name: "weather", arguments: '{"city":"Lima"}' },
      ],
      usage: { inputTokens: 30, outputTokens: 8 },
      finishReason: "tool_calls",
      model: "test-model-2025",
    });
    expect(ask!.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "test-model",
      "gen_ai.provider.name": "openai",
      "gen_ai.response.model": "test-model-2025",
      "gen_ai.response.id": "chatcmpl-test",
      "gen_ai.response.finish_reasons": ["tool_calls"],
      "gen_ai.usage.input_tokens": 30,
      "gen_ai.usage.output_tokens": 8,
      "runtrace.cost_usd": (30 + 16) / 1e6,
    });
    expect(oslo!.input).toEqual(["Oslo"]);
    expect(oslo!.output).toBe("Oslo: sunny, 21°C");
    expect(oslo!.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "weather",
      "gen_ai.tool.call.id": "call_oslo",
    });
    // The second model call was sent the tool results.
    const sent = server.requests[1]!.body.messages as Array<{ role: string; content: string }>;
    expect(sent.filter((m) => m.role === "tool").map((m) => m.content)).toEqual([
      "Oslo: sunny, 21°C",
      "Lima: sunny, 21°C",
    ]);
    expect(answer!.output).toMatchObject({ text: "Oslo and Lima are sunny.", finishReason: "stop" });
    expect(session.tree.root.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 90,
      "gen_ai.usage.output_tokens": 15,
      "runtrace.model_calls": 2,
    });
  });

  it("gives the model the node's description and params as the tool's schema; options win", async () => {
    server = await startServer([{ json: completion({ text: "ok" }) }]);
    const model = chatModel(server.baseURL);
    const search = rt.functionNode(async (query: { q: string; limit?: number }) => [query.q], {
      name: "search",
      kind: "tool",
      description: "Searches the notes",
      params: z.object({ q: z.string(), limit: z.number().int().optional() }),
    });
    await rt.session("schemas", () =>
      generateText({
        model,
        prompt: "hi",
        tools: {
          ...aiTools([weather, search]),
          forecast: aiTool(weather, {
            description: "Tomorrow's forecast",
            inputSchema: jsonSchema({
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
            }),
          }),
        },
      }),
    );
    const tools = server.requests[0]!.body.tools as Array<{ function: Record<string, unknown> }>;
    expect(tools.map((t) => t.function)).toEqual([
      {
        name: "weather",
        description: "The forecast for a city",
        parameters: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
          additionalProperties: false,
        },
      },
      {
        name: "search",
        description: "Searches the notes",
        parameters: {
          type: "object",
          properties: { q: { type: "string" }, limit: { type: "integer" } },
          required: ["q"],
        },
      },
      {
        name: "forecast",
        description: "Tomorrow's forecast",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    ]);
  });

  it("runs a node taking one object with the model's arguments, and a tool's failure goes back to the model", async () => {
    server = await startServer([
      {
        json: completion({
          toolCalls: [
            { id: "call_1", name: "search", arguments: { q: "runtrace", limit: 2 } },
            { id: "call_2", name: "weather", arguments: { town: "Oslo" } },
          ],
        }),
      },
      { json: completion({ text: "done" }) },
    ]);
    const model = chatModel(server.baseURL);
    const search = rt.functionNode(
      async (query: { q: string; limit?: number }) => [`${query.q} x${query.limit}`],
      {
        name: "search",
        kind: "tool",
        params: z.object({ q: z.string(), limit: z.number().optional() }),
      },
    );
    const session = new rt.Session();
    await session.run(() =>
      generateText({ model, prompt: "go", tools: aiTools([search, weather]), stopWhen: stepCountIs(2) }),
    );
    const [, searched, failed] = session.tree.root.children as rt.CallRecord[];
    expect(searched).toMatchObject({ node: "search", status: "ok", output: ["runtrace x2"] });
    expect(searched!.input).toEqual([{ q: "runtrace", limit: 2 }]);
    expect(failed).toMatchObject({ node: "weather", status: "error" });
    expect(failed!.error?.name).toBe("ValidationError");
    const sent = server.requests[1]!.body.messages as Array<{ role: string; content: string }>;
    expect(
      sent.find(
        (m) => m.role === "tool" && m.content.startsWith('Invalid argument "city" for node "weather"'),
      ),
    ).toBeDefined();
  });

  it("records an API error with its status; the AI SDK gets its own error", async () => {
    server = await startServer([
      { status: 400, json: { error: { message: "Bad model", type: "invalid_request_error" } } },
    ]);
    const model = chatModel(server.baseURL);
    const session = new rt.Session();
    const error = await session
      .run(() => generateText({ model, prompt: "hi", maxRetries: 0 }))
      .catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    const call = session.tree.root.children[0]!;
    expect(call).toMatchObject({ node: "chat test-model", status: "error" });
    expect(call.error?.message).toContain("Bad model");
    expect(call.attributes["http.response.status_code"]).toBe(400);
  });

  it("shows each retry of the AI SDK as a model call of its own", async () => {
    server = await startServer([
      { status: 503, headers: { "retry-after-ms": "10" }, json: { error: { message: "Busy" } } },
      { json: completion({ text: "second time" }) },
    ]);
    const model = chatModel(server.baseURL);
    const session = new rt.Session();
    const result = await session.run(() => generateText({ model, prompt: "hi", maxRetries: 1 }));
    expect(result.text).toBe("second time");
    expect(session.tree.root.children.map((c) => [c.node, c.status])).toEqual([
      ["chat test-model", "error"],
      ["chat test-model", "ok"],
    ]);
  });
});

describe("runtraceMiddleware with streamText and generateObject", () => {
  it("records a streamed step's text as token events, and tools beside the model calls", async () => {
    server = await startServer([
      { sse: toolCallChunks([{ id: "call_pune", name: "weather", arguments: { city: "Pune" } }]) },
      { sse: streamChunks(["Pune ", "is ", "sunny."], { input: 50, output: 5 }), chunkDelayMs: 5 },
    ]);
    const model = chatModel(server.baseURL);
    const writer = rt.functionNode(
      async (question: string) => {
        const result = streamText({
          model,
          prompt: question,
          tools: { weather: aiTool(weather) },
          stopWhen: stepCountIs(3),
        });
        let text = "";
        for await (const piece of result.textStream) text += piece;
        return text;
      },
      { name: "writer" },
    );
    const session = new rt.Session();
    expect(await session.run(() => writer("Weather in Pune?"))).toBe("Pune is sunny.");

    const calls = session.tree.find("writer")!.children;
    expect(calls.map((c) => [c.node, c.status])).toEqual([
      ["chat test-model", "ok"],
      ["weather", "ok"],
      ["chat test-model", "ok"],
    ]);
    const [ask, tool, answer] = calls as rt.CallRecord[];
    expect(ask!.children).toEqual([]);
    expect(ask!.output).toMatchObject({
      toolCalls: [{ id: "call_pune", name: "weather", arguments: '{"city":"Pune"}' }],
      usage: { inputTokens: 30, outputTokens: 8 },
      finishReason: "tool_calls",
    });
    expect(tool!.attributes["gen_ai.tool.call.id"]).toBe("call_pune");
    const tokens = answer!.events
      .filter((e) => e.name === "token")
      .map((e) => (e.data as { text: string }).text);
    expect(tokens).toEqual(["Pune ", "is ", "sunny."]);
    expect(answer!.output).toMatchObject({
      text: "Pune is sunny.",
      usage: { inputTokens: 50, outputTokens: 5 },
    });
    expect(answer!.attributes["runtrace.model.time_to_first_token_ms"]).toBeGreaterThan(0);
  });

  it("ends a stream its reader abandons as cancelled", async () => {
    server = await startServer([{ sse: streamChunks(["a", "b", "c", "d", "e", "f"]), chunkDelayMs: 20 }]);
    const model = chatModel(server.baseURL);
    const controller = new AbortController();
    const session = new rt.Session();
    await session.run(async () => {
      const result = streamText({ model, prompt: "letters", abortSignal: controller.signal });
      let text = "";
      for await (const piece of result.textStream) {
        text += piece;
        if (text === "ab") controller.abort();
      }
    });
    const call = session.tree.root.children[0]!;
    expect(call.status).toBe("cancelled");
    expect(await server.requests[0]!.closed).toEqual({ early: true });
  });

  it("records generateObject's call: the JSON response format in, the JSON text out", async () => {
    server = await startServer([
      { json: completion({ text: '{"city":"Rome","days":2}', usage: { input: 20, output: 9 } }) },
    ]);
    const model = chatModel(server.baseURL);
    const session = new rt.Session();
    const { object } = await session.run(() =>
      generateObject({ model, prompt: "Plan", schema: z.object({ city: z.string(), days: z.number() }) }),
    );
    expect(object).toEqual({ city: "Rome", days: 2 });
    const call = session.tree.root.children[0]!;
    expect(call).toMatchObject({ node: "chat test-model", kind: "llm", status: "ok" });
    expect((call.input as Array<{ responseFormat?: { type: string } }>)[0]!.responseFormat?.type).toBe(
      "json",
    );
    expect(call.output).toMatchObject({
      text: '{"city":"Rome","days":2}',
      usage: { inputTokens: 20, outputTokens: 9 },
    });
  });

  it("works outside any session: each model call and tool call in a session of its own, as rt.call does", async () => {
    server = await startServer([
      { json: completion({ toolCalls: [{ id: "call_x", name: "weather", arguments: { city: "Oslo" } }] }) },
      { json: completion({ text: "sunny" }) },
    ]);
    const store = rt.memoryStore();
    rt.configure({ store });
    const model = chatModel(server.baseURL);
    const result = await generateText({
      model,
      prompt: "Oslo?",
      tools: aiTools([weather]),
      stopWhen: stepCountIs(2),
    });
    expect(result.text).toBe("sunny");
    const sessions = await store.listSessions();
    expect(sessions.map((s) => s.name).sort()).toEqual(["chat test-model", "chat test-model", "weather"]);
  });
});
