/**
 * `wrapOpenAI` with the real `openai` client against the OpenAI-compatible test server: every
 * request a model call in the tree, streamed or not, with retries, aborts and API errors.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as rt from "@runtrace/core";
import { wrapOpenAI } from "@runtrace/core/openai";
import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectUnhandledRejections } from "../helpers/unhandled.js";
import { completion, startServer, streamChunks, type TestServer } from "../llm/server.js";
import { embeddingsReply, responseEvents, responseObject } from "./openai-replies.js";

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

function client(baseURL: string, options: { maxRetries?: number } = {}) {
  return wrapOpenAI(new OpenAI({ baseURL, apiKey: KEY, maxRetries: options.maxRetries ?? 0 }), {
    prices: { "test-model": { inputPerMillion: 1, outputPerMillion: 2 } },
  });
}

const messages = [
  { role: "system" as const, content: "Be brief." },
  { role: "user" as const, content: "Hi!" },
];

/** Runs `fn` in a session and returns its result with the session's tree. */
async function recorded<T>(fn: () => Promise<T>): Promise<{ value: T; tree: rt.CallTree }> {
  const session = new rt.Session({ name: "test" });
  const value = await session.run(fn);
  return { value, tree: session.tree };
}

describe("wrapOpenAI: chat.completions.create", () => {
  it("records a request as a `chat {model}` call with the messages, the reply, usage, cost and the GenAI attributes", async () => {
    server = await startServer([{ json: completion({ text: "Hello!", usage: { input: 21, output: 3 } }) }]);
    const openai = client(server.baseURL);
    const { value, tree } = await recorded(() =>
      openai.chat.completions.create({ model: "test-model", messages, temperature: 0.2, max_tokens: 50 }),
    );

    // The caller gets the client's own reply.
    expect(value.choices[0]!.message.content).toBe("Hello!");
    expect(value.usage?.prompt_tokens).toBe(21);
    const call = tree.root.children[0]!;
    expect(call).toMatchObject({ node: "chat test-model", kind: "llm", status: "ok" });
    expect(call.input).toEqual([{ messages }]);
    expect(call.output).toEqual({
      text: "Hello!",
      toolCalls: [],
      usage: { inputTokens: 21, outputTokens: 3 },
      finishReason: "stop",
      model: "test-model-2025",
    });
    expect(call.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "test-model",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.max_tokens": 50,
      "gen_ai.response.model": "test-model-2025",
      "gen_ai.response.id": "chatcmpl-test",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 21,
      "gen_ai.usage.output_tokens": 3,
      "runtrace.cost_usd": (21 + 6) / 1e6,
    });
    expect(call.attributes["runtrace.model.latency_ms"]).toBeGreaterThan(0);
    // Usage is summed on the session, as for runtrace's own model calls.
    expect(tree.root.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 21,
      "runtrace.model_calls": 1,
    });
  });

  it("keeps the client's promise: withResponse() gives the reply and the raw response", async () => {
    server = await startServer([
      { json: completion({ text: "ok" }), headers: { "x-request-id": "req_123" } },
    ]);
    const openai = client(server.baseURL);
    const { value, tree } = await recorded(() =>
      openai.chat.completions.create({ model: "test-model", messages }).withResponse(),
    );
    expect(value.data.choices[0]!.message.content).toBe("ok");
    expect(value.request_id).toBe("req_123");
    expect(value.response.status).toBe(200);
    expect(tree.root.children[0]!.output).toMatchObject({ text: "ok" });
  });

  it("records the tool calls the model asked for, and the tools offered by name", async () => {
    server = await startServer([
      {
        json: completion({
          toolCalls: [
            { id: "call_a", name: "weather", arguments: { city: "Oslo" } },
            { id: "call_b", name: "weather", arguments: { city: "Lima" } },
          ],
          usage: { input: 40, output: 12 },
        }),
      },
    ]);
    const openai = client(server.baseURL);
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "weather",
          description: "The forecast",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      },
    ];
    const { value, tree } = await recorded(() =>
      openai.chat.completions.create({ model: "test-model", messages, tools }),
    );
    expect(value.choices[0]!.message.tool_calls).toHaveLength(2);
    const call = tree.root.children[0]!;
    expect(call.input).toEqual([{ messages, tools: ["weather"] }]);
    expect(call.output).toMatchObject({
      text: "",
      toolCalls: [
        { id: "call_a", name: "weather", arguments: '{"city":"Oslo"}' },
        { id: "call_b", name: "weather", arguments: '{"city":"Lima"}' },
      ],
      finishReason: "tool_calls",
    });
    expect(call.attributes["gen_ai.response.finish_reasons"]).toEqual(["tool_calls"]);
  });

  it("records a streamed reply's text as token events and ends the call when the stream ends", async () => {
    const pieces = ["Hel", "lo", " there", "!"];
    server = await startServer([{ sse: streamChunks(pieces, { input: 9, output: 4 }), chunkDelayMs: 5 }]);
    const openai = client(server.baseURL);
    const { value, tree } = await recorded(async () => {
      const stream = await openai.chat.completions.create({
        model: "test-model",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      const read: string[] = [];
      for await (const chunk of stream) read.push(chunk.choices[0]?.delta.content ?? "");
      return read.join("");
    });
    expect(value).toBe("Hello there!");
    const call = tree.root.children[0]!;
    expect(call.status).toBe("ok");
    const tokens = call.events.filter((event) => event.name === "token");
    expect(tokens.map((event) => (event.data as { text: string }).text)).toEqual(pieces);
    expect(call.output).toEqual({
      text: "Hello there!",
      toolCalls: [],
      usage: { inputTokens: 9, outputTokens: 4 },
      finishReason: "stop",
      model: "test-model-2025",
    });
    expect(call.attributes["runtrace.model.time_to_first_token_ms"]).toBeGreaterThan(0);
    expect(call.attributes["runtrace.model.time_to_first_token_ms"]).toBeLessThanOrEqual(
      call.attributes["runtrace.model.latency_ms"] as number,
    );
    // The call ends with the stream, not when the client's promise resolves.
    expect(call.end! - call.start).toBeGreaterThanOrEqual(15);
  });

  it("assembles streamed tool calls", async () => {
    const base = { id: "chatcmpl-test", object: "chat.completion.chunk", model: "test-model-2025" };
    const toolDelta = (tool_calls: unknown, finish_reason: string | null = null) => ({
      ...base,
      choices: [{ index: 0, delta: { tool_calls }, finish_reason }],
    });
    server = await startServer([
      {
        sse: [
          toolDelta([
            { index: 0, id: "call_1", type: "function", function: { name: "weather", arguments: "" } },
          ]),
          toolDelta([{ index: 0, function: { arguments: '{"city":' } }]),
          toolDelta([{ index: 0, function: { arguments: '"Pune"}' } }]),
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
        ],
      },
    ]);
    const openai = client(server.baseURL);
    const { tree } = await recorded(async () => {
      const stream = await openai.chat.completions.create({ model: "test-model", messages, stream: true });
      for await (const _ of stream);
    });
    expect(tree.root.children[0]!.output).toMatchObject({
      toolCalls: [{ id: "call_1", name: "weather", arguments: '{"city":"Pune"}' }],
      finishReason: "tool_calls",
    });
  });

  it("ends a stream the reader leaves early (break) as cancelled, and the request is closed", async () => {
    server = await startServer([{ sse: streamChunks(["a", "b", "c", "d", "e", "f"]), chunkDelayMs: 20 }]);
    const openai = client(server.baseURL);
    const { tree } = await recorded(async () => {
      const stream = await openai.chat.completions.create({ model: "test-model", messages, stream: true });
      let n = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content && ++n === 2) break;
      }
    });
    const call = tree.root.children[0]!;
    expect(call.status).toBe("cancelled");
    expect(call.error?.message).toMatch(/reader stopped before the end/);
    expect(call.events.filter((event) => event.name === "token")).toHaveLength(2);
    expect(await server.requests[0]!.closed).toEqual({ early: true });
  });

  it("ends a stream aborted by the caller's AbortController as cancelled", async () => {
    server = await startServer([{ sse: streamChunks(["a", "b", "c", "d", "e", "f"]), chunkDelayMs: 20 }]);
    const openai = client(server.baseURL);
    const controller = new AbortController();
    const { value, tree } = await recorded(async () => {
      const stream = await openai.chat.completions.create(
        { model: "test-model", messages, stream: true },
        { signal: controller.signal },
      );
      let text = "";
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        if (text === "ab") controller.abort();
      }
      return text;
    });
    // The client ends an aborted stream quietly; the record says what happened.
    expect(value).toBe("ab");
    const call = tree.root.children[0]!;
    expect(call.status).toBe("cancelled");
    expect(call.error?.message).toMatch(/aborted/);
    expect(await server.requests[0]!.closed).toEqual({ early: true });
  });
});

describe("wrapOpenAI: failures", () => {
  it("records the final outcome of a request the client retried, each failed attempt as a retry event", async () => {
    server = await startServer([
      { status: 429, headers: { "retry-after-ms": "10" }, json: { error: { message: "Slow down" } } },
      { status: 503, headers: { "retry-after-ms": "10" }, json: { error: { message: "Busy" } } },
      { json: completion({ text: "Finally", usage: { input: 5, output: 1 } }) },
    ]);
    const openai = client(server.baseURL, { maxRetries: 2 });
    const { value, tree } = await recorded(() =>
      openai.chat.completions.create({ model: "test-model", messages }),
    );
    expect(value.choices[0]!.message.content).toBe("Finally");
    expect(server.requests).toHaveLength(3);
    const call = tree.root.children[0]!;
    expect(call.status).toBe("ok");
    // One call: the client's retries are its own, not runtrace attempts of the call.
    expect(call.attempts).toBe(1);
    expect(call.attributes["runtrace.model.attempts"]).toBe(3);
    const retries = call.events.filter((event) => event.name === "retry").map((event) => event.data);
    expect(retries).toEqual([
      { attempt: 1, delayMs: expect.any(Number), status: 429, error: "HTTP 429 Too Many Requests" },
      { attempt: 2, delayMs: expect.any(Number), status: 503, error: "HTTP 503 Service Unavailable" },
    ]);
  });

  it("records an API error with its HTTP status, and the caller gets the client's own error", async () => {
    server = await startServer([
      {
        status: 400,
        json: { error: { message: "Unknown parameter: 'foo'", type: "invalid_request_error" } },
      },
    ]);
    const openai = client(server.baseURL);
    const session = new rt.Session();
    const error = await session
      .run(() => openai.chat.completions.create({ model: "test-model", messages }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    const call = session.tree.root.children[0]!;
    expect(call.status).toBe("error");
    expect(call.error?.message).toBe("400 Unknown parameter: 'foo'");
    expect(call.attributes["http.response.status_code"]).toBe(400);
  });

  it("records a request aborted before its reply as cancelled", async () => {
    server = await startServer([{ hang: true }]);
    const openai = client(server.baseURL);
    const controller = new AbortController();
    const session = new rt.Session();
    const error = await session
      .run(() => {
        const request = openai.chat.completions.create(
          { model: "test-model", messages },
          { signal: controller.signal },
        );
        setTimeout(() => controller.abort(), 30);
        return request;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(session.tree.root.children[0]!.status).toBe("cancelled");
  });

  it("aborts the request when a call above it times out", async () => {
    server = await startServer([{ hang: true }]);
    const openai = client(server.baseURL);
    const ask = rt.functionNode(() => openai.chat.completions.create({ model: "test-model", messages }), {
      name: "ask",
    });
    const session = new rt.Session();
    await expect(session.run(() => rt.callWith({ timeoutMs: 50 }, ask))).rejects.toThrow(rt.NodeTimeoutError);
    expect(await server.requests[0]!.closed).toEqual({ early: true });
    const chat = session.tree.find("chat test-model")!;
    expect(chat.status).toBe("cancelled");
  });
});

describe("wrapOpenAI: the API key", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "runtrace-openai-"));
    rt.configure({ store: rt.jsonlStore({ dir }) });
  });
  afterEach(async () => {
    rt.configure({ store: null });
    await rm(dir, { recursive: true, force: true });
  });

  async function storedText(): Promise<string> {
    await rt.flush();
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(0);
    return (await Promise.all(files.map((file) => readFile(join(dir, file), "utf8")))).join("\n");
  }

  it("is never in the stored session: not from the request, the retries, the stream or the error", async () => {
    server = await startServer([
      { status: 500, headers: { "retry-after-ms": "5" }, json: { error: { message: "Oops" } } },
      { json: completion({ text: "Hello!", usage: { input: 1, output: 1 } }) },
      { sse: streamChunks(["a", "b"]) },
      { status: 404, json: { error: { message: "No such model" } } },
    ]);
    const openai = client(server.baseURL, { maxRetries: 1 });
    await rt.session("keys", async () => {
      await openai.chat.completions.create({ model: "test-model", messages });
      for await (const _ of await openai.chat.completions.create({
        model: "test-model",
        messages,
        stream: true,
      }));
      await openai.chat.completions.create({ model: "test-model", messages }).catch(() => {});
    });
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    const text = await storedText();
    expect(text).toContain("chat test-model");
    expect(text).toContain("No such model");
    expect(text).not.toContain(KEY);
  });

  it("is redacted where a server repeats it in an error message", async () => {
    const key = `sk-proj-${"Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kL9n"}`;
    server = await startServer([
      {
        status: 401,
        json: { error: { message: `Incorrect API key provided: ${key}.`, code: "invalid_api_key" } },
      },
    ]);
    const openai = wrapOpenAI(new OpenAI({ baseURL: server.baseURL, apiKey: key, maxRetries: 0 }));
    const error = await rt
      .session("bad key", () => openai.chat.completions.create({ model: "test-model", messages }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const text = await storedText();
    expect(text).toContain("Incorrect API key provided");
    expect(text).not.toContain(key);
  });
});

describe("wrapOpenAI: the other endpoints", () => {
  it("records responses.create: instructions and input, then the text and usage", async () => {
    server = await startServer([
      { json: responseObject({ text: "Bonjour", usage: { input: 12, output: 2 } }) },
    ]);
    const openai = client(server.baseURL);
    const { value, tree } = await recorded(() =>
      openai.responses.create({ model: "test-model", instructions: "Answer in French.", input: "Hello" }),
    );
    expect(value.output_text).toBe("Bonjour");
    const call = tree.root.children[0]!;
    expect(call).toMatchObject({ node: "chat test-model", kind: "llm", status: "ok" });
    expect(call.input).toEqual([{ instructions: "Answer in French.", input: "Hello" }]);
    expect(call.output).toEqual({
      text: "Bonjour",
      toolCalls: [],
      usage: { inputTokens: 12, outputTokens: 2 },
      finishReason: "stop",
      model: "test-model-2025",
    });
    expect(call.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.response.id": "resp_test",
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 2,
    });
  });

  it("records a response's function calls", async () => {
    server = await startServer([
      {
        json: responseObject({
          functionCalls: [{ callId: "call_9", name: "weather", arguments: { city: "Rome" } }],
        }),
      },
    ]);
    const openai = client(server.baseURL);
    const { tree } = await recorded(() =>
      openai.responses.create({
        model: "test-model",
        input: "Weather in Rome?",
        tools: [{ type: "function", name: "weather", parameters: {}, strict: false }],
      }),
    );
    const call = tree.root.children[0]!;
    expect(call.input).toEqual([{ input: "Weather in Rome?", tools: ["weather"] }]);
    expect(call.output).toMatchObject({
      toolCalls: [{ id: "call_9", name: "weather", arguments: '{"city":"Rome"}' }],
      finishReason: "tool_calls",
    });
  });

  it("records a streamed response's deltas as token events", async () => {
    server = await startServer([{ sse: responseEvents(["Bon", "jour"], { input: 12, output: 2 }) }]);
    const openai = client(server.baseURL);
    const { value, tree } = await recorded(async () => {
      const stream = await openai.responses.create({ model: "test-model", input: "Hello", stream: true });
      let text = "";
      for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
      return text;
    });
    expect(value).toBe("Bonjour");
    const call = tree.root.children[0]!;
    expect(call.status).toBe("ok");
    expect(
      call.events.filter((e) => e.name === "token").map((e) => (e.data as { text: string }).text),
    ).toEqual(["Bon", "jour"]);
    expect(call.output).toMatchObject({ text: "Bonjour", usage: { inputTokens: 12, outputTokens: 2 } });
  });

  it("records embeddings.create as an `embeddings {model}` call: how many vectors, their size, the input tokens", async () => {
    server = await startServer([{ json: embeddingsReply(2, 8, 7) }]);
    const openai = client(server.baseURL);
    const { value, tree } = await recorded(() =>
      openai.embeddings.create({ model: "test-embedder", input: ["one", "two"] }),
    );
    // The client decoded its base64 vectors itself: the caller's reply is unchanged.
    expect(value.data[1]!.embedding).toHaveLength(8);
    const call = tree.root.children[0]!;
    expect(call).toMatchObject({ node: "embeddings test-embedder", kind: "llm", status: "ok" });
    expect(call.input).toEqual([{ input: ["one", "two"] }]);
    expect(call.output).toEqual({ embeddings: 2, dimensions: 8 });
    expect(call.attributes).toMatchObject({
      "gen_ai.operation.name": "embeddings",
      "gen_ai.request.model": "test-embedder",
      "gen_ai.response.model": "test-embedder-2025",
      "gen_ai.usage.input_tokens": 7,
    });
  });

  it("works through the client's helpers: chat.completions.parse reads the reply once", async () => {
    server = await startServer([{ json: completion({ text: '{"city":"Oslo"}' }) }]);
    const openai = client(server.baseURL);
    const { value, tree } = await recorded(() =>
      openai.chat.completions.parse({
        model: "test-model",
        messages,
        response_format: {
          type: "json_schema",
          json_schema: { name: "city", schema: { type: "object", properties: { city: { type: "string" } } } },
        },
      }),
    );
    expect(value.choices[0]!.message.content).toBe('{"city":"Oslo"}');
    expect(tree.root.children[0]!.output).toMatchObject({ text: '{"city":"Oslo"}' });
  });
});

describe("wrapOpenAI: the client's helpers", () => {
  it("records chat.completions.stream() as one streamed call", async () => {
    server = await startServer([{ sse: streamChunks(["Hi", " there"], { input: 3, output: 2 }) }]);
    const openai = client(server.baseURL);
    const { value, tree } = await recorded(async () => {
      const stream = openai.chat.completions.stream({ model: "test-model", messages });
      return (await stream.finalChatCompletion()).choices[0]!.message.content;
    });
    expect(value).toBe("Hi there");
    const call = tree.root.children[0]!;
    expect(call).toMatchObject({ node: "chat test-model", status: "ok" });
    expect(call.events.filter((e) => e.name === "token")).toHaveLength(2);
  });

  it("records each request of chat.completions.runTools(); its tool functions are the caller's", async () => {
    server = await startServer([
      { json: completion({ toolCalls: [{ id: "call_1", name: "weather", arguments: { city: "Oslo" } }] }) },
      { json: completion({ text: "Sunny in Oslo." }) },
    ]);
    const openai = client(server.baseURL);
    const weather = rt.functionNode(async ({ city }: { city: string }) => `${city}: sunny`, {
      name: "weather",
    });
    const { value, tree } = await recorded(async () => {
      const runner = openai.chat.completions.runTools({
        model: "test-model",
        messages,
        tools: [
          {
            type: "function",
            function: {
              name: "weather",
              description: "The forecast",
              parameters: { type: "object", properties: { city: { type: "string" } } },
              function: (args: { city: string }) => weather(args),
              parse: JSON.parse,
            },
          },
        ],
      });
      return runner.finalContent();
    });
    expect(value).toBe("Sunny in Oslo.");
    expect(tree.root.children.map((c) => c.node)).toEqual(["chat test-model", "weather", "chat test-model"]);
  });
});

describe("wrapOpenAI: where calls go", () => {
  it("puts requests under the current call, siblings under Promise.all", async () => {
    server = await startServer([
      (request) => ({ json: completion({ text: `re: ${request.body.messages[0].content}` }) }),
    ]);
    const openai = client(server.baseURL);
    const ask = rt.functionNode(
      async (question: string) => {
        const reply = await openai.chat.completions.create({
          model: "test-model",
          messages: [{ role: "user", content: question }],
        });
        return reply.choices[0]!.message.content;
      },
      { name: "ask" },
    );
    const both = rt.functionNode(() => Promise.all([ask("one"), ask("two")]), { name: "both" });
    const { value, tree } = await recorded(() => both());
    expect(value).toEqual(["re: one", "re: two"]);
    const asks = tree.find("both")!.children;
    expect(asks.map((c) => c.node)).toEqual(["ask", "ask"]);
    for (const [i, call] of asks.entries()) {
      expect(call.children.map((c) => c.node)).toEqual(["chat test-model"]);
      expect(call.children[0]!.output).toMatchObject({ text: `re: ${["one", "two"][i]}` });
    }
  });

  it("outside any session, records each request in a session of its own, as rt.call does", async () => {
    server = await startServer([{ json: completion({ text: "alone" }) }]);
    const store = rt.memoryStore();
    rt.configure({ store });
    const openai = client(server.baseURL);
    const reply = await openai.chat.completions.create({ model: "test-model", messages });
    expect(reply.choices[0]!.message.content).toBe("alone");
    const [summary] = await store.listSessions();
    const tree = await store.readSession(summary!.id);
    expect(tree.root.node).toBe("chat test-model");
    expect(tree.root.children.map((c) => [c.node, c.status])).toEqual([["chat test-model", "ok"]]);
  });

  it("wrapping twice records each request once; withOptions() gives a wrapped client", async () => {
    server = await startServer([{ json: completion({ text: "once" }) }]);
    const openai = client(server.baseURL);
    expect(wrapOpenAI(openai)).toBe(openai);
    const other = openai.withOptions({ timeout: 5_000 });
    const { tree } = await recorded(async () => {
      await openai.chat.completions.create({ model: "test-model", messages });
      await other.chat.completions.create({ model: "test-model", messages });
    });
    expect(tree.root.children.map((c) => c.node)).toEqual(["chat test-model", "chat test-model"]);
    expect(tree.root.children.every((c) => c.children.length === 0)).toBe(true);
  });

  it("leaves the client's other requests alone", async () => {
    server = await startServer([{ json: { object: "list", data: [{ id: "test-model", object: "model" }] } }]);
    const openai = client(server.baseURL);
    const { value, tree } = await recorded(async () => {
      const models = [];
      for await (const model of openai.models.list()) models.push(model.id);
      return models;
    });
    expect(value).toEqual(["test-model"]);
    expect(tree.root.children).toEqual([]);
  });

  it("passes a request it cannot read straight to the client, which fails as it would unwrapped", () => {
    const plain = new OpenAI({ baseURL: "http://127.0.0.1:9/v1", apiKey: KEY });
    const wrapped = wrapOpenAI(new OpenAI({ baseURL: "http://127.0.0.1:9/v1", apiKey: KEY }));
    const attempt = (c: OpenAI) => () => c.chat.completions.create(null as never);
    expect(attempt(plain)).toThrow(TypeError);
    expect(attempt(wrapped)).toThrow(TypeError);
  });

  it("rejects what is not an openai client, naming what it got", () => {
    expect(() => wrapOpenAI({} as OpenAI)).toThrow(/expected a client of the `openai` package/);
    expect(() => wrapOpenAI(new OpenAI({ apiKey: KEY }), { price: 1 } as never)).toThrow(
      rt.InvalidOptionsError,
    );
  });
});
