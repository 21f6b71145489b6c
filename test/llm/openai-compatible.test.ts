import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as rt from "@runtrace/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { completion, startServer, streamChunks, type TestServer } from "./server.js";

// Deliberately not shaped like any known key format: only our own care keeps it out, not redaction.
const KEY = "test-key-do-not-leak-7f3a9c1e";

let server: TestServer | undefined;

beforeEach(() => {
  rt.configure({ store: null });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function model(baseURL: string, options: Partial<rt.OpenAICompatibleOptions> = {}) {
  return rt.openaiCompatible({ baseURL, apiKey: KEY, model: "test-model", ...options });
}

describe("openaiCompatible over HTTP", () => {
  it("sends a Chat Completions request and records usage, model and provider", async () => {
    server = await startServer([{ json: completion({ text: "Hello!", usage: { input: 21, output: 3 } }) }]);
    const greet = rt.llmNode({
      name: "greet",
      model: model(server.baseURL, { price: { inputPerMillion: 1, outputPerMillion: 2 }, temperature: 0 }),
      system: "Be brief.",
    });
    const session = new rt.Session();
    expect(await session.run(() => greet("hi"))).toBe("Hello!");

    const [request] = server.requests;
    expect(request!.method).toBe("POST");
    expect(request!.url).toBe("/v1/chat/completions");
    expect(request!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request!.body).toEqual({
      model: "test-model",
      temperature: 0,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
    });
    expect(session.tree.find("greet")!.attributes).toMatchObject({
      "gen_ai.request.model": "test-model",
      "gen_ai.response.model": "test-model-2025",
      "gen_ai.provider.name": "openai",
      "gen_ai.usage.input_tokens": 21,
      "gen_ai.usage.output_tokens": 3,
      "gen_ai.response.finish_reasons": ["stop"],
      "runtrace.cost_usd": (21 + 6) / 1e6,
    });
  });

  it("runs an agent's parallel tool calls and sends their results back by call id", async () => {
    server = await startServer([
      {
        json: completion({
          toolCalls: [
            { id: "call_a", name: "lookup", arguments: { key: "a" } },
            { id: "call_b", name: "lookup", arguments: { key: "b" } },
          ],
          usage: { input: 50, output: 10 },
        }),
      },
      { json: completion({ text: "a=1, b=2", usage: { input: 80, output: 6 } }) },
    ]);
    const lookup = rt.functionNode(async (key: string) => ({ a: 1, b: 2 })[key], {
      name: "lookup",
      kind: "tool",
      description: "Looks a key up",
      params: [["key", z.string()]],
    });
    const agent = rt.agentNode({ name: "finder", model: model(server.baseURL), tools: [lookup] });
    const session = new rt.Session();
    expect(await session.run(() => agent("a and b?"))).toBe("a=1, b=2");

    expect(server.requests[0]!.body.tools).toEqual([
      {
        type: "function",
        function: {
          name: "lookup",
          description: "Looks a key up",
          parameters: {
            type: "object",
            properties: { key: { type: "string" } },
            required: ["key"],
            additionalProperties: false,
          },
        },
      },
    ]);
    expect(server.requests[1]!.body.messages).toEqual([
      { role: "user", content: "a and b?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_a", type: "function", function: { name: "lookup", arguments: '{"key":"a"}' } },
          { id: "call_b", type: "function", function: { name: "lookup", arguments: '{"key":"b"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_a", content: "1" },
      { role: "tool", tool_call_id: "call_b", content: "2" },
    ]);
    const top = session.tree.find("finder")!;
    expect(top.children.map((c) => c.node)).toEqual([
      "chat test-model",
      "lookup",
      "lookup",
      "chat test-model",
    ]);
    expect(top.attributes["gen_ai.usage.input_tokens"]).toBe(130);
    expect(session.tree.root.attributes["gen_ai.usage.output_tokens"]).toBe(16);
  });
});

describe("streaming over HTTP", () => {
  it("hands the first token to the reader before the server has sent the rest, and records tokens", async () => {
    const pieces = ["The ", "quick ", "brown ", "fox ", "jumps."];
    server = await startServer([{ sse: streamChunks(pieces, { input: 9, output: 5 }), chunkDelayMs: 120 }]);
    const node = rt.llmNode({ name: "story", model: model(server.baseURL) });
    const session = new rt.Session();
    let finishedAtFirstToken: boolean | undefined;
    let eventsAtFirstToken = 0;
    const received = await session.run(async () => {
      const tokens: string[] = [];
      for await (const token of rt.stream(node, "Tell me")) {
        if (tokens.length === 0) {
          finishedAtFirstToken = server!.requests[0]!.finished;
          eventsAtFirstToken = server!.requests[0]!.eventsSent;
        }
        tokens.push(token);
      }
      return tokens;
    });

    expect(received).toEqual(pieces);
    expect(finishedAtFirstToken).toBe(false);
    expect(eventsAtFirstToken).toBeLessThan(streamChunks(pieces).length);
    expect(server.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const record = session.tree.find("story")!;
    expect(record.status).toBe("ok");
    expect(
      record.events.filter((e) => e.name === "token").map((e) => (e.data as { text: string }).text),
    ).toEqual(pieces);
    expect(record.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 9,
      "gen_ai.usage.output_tokens": 5,
    });
  });

  it("closes the HTTP request when the reader stops mid-stream, and records `cancelled`", async () => {
    const pieces = Array.from({ length: 30 }, (_, i) => `w${i} `);
    server = await startServer([{ sse: streamChunks(pieces), chunkDelayMs: 60 }]);
    const node = rt.llmNode({ name: "long", model: model(server.baseURL) });
    const session = new rt.Session();
    await session.run(async () => {
      let count = 0;
      for await (const _ of rt.stream(node, "Go on")) {
        if (++count === 2) break;
      }
    });
    const closed = await server.requests[0]!.closed;
    expect(closed.early).toBe(true);
    expect(server.requests[0]!.eventsSent).toBeLessThan(pieces.length);
    const record = session.tree.find("long")!;
    expect(record.status).toBe("cancelled");
    expect(record.events.filter((e) => e.name === "token")).toHaveLength(2);
  });

  it("assembles tool calls sent in pieces by a streaming agent", async () => {
    const base = { id: "x", object: "chat.completion.chunk" };
    server = await startServer([
      {
        sse: [
          {
            ...base,
            choices: [
              {
                index: 0,
                delta: {
                  tool_calls: [{ index: 0, id: "call_1", function: { name: "lookup", arguments: '{"ke' } }],
                },
              },
            ],
          },
          {
            ...base,
            choices: [
              { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'y":"a"}' } }] } },
            ],
          },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
        ],
      },
      { sse: streamChunks(["found ", "it"]) },
    ]);
    const lookup = rt.functionNode((key: string) => `value of ${key}`, {
      name: "lookup",
      params: [["key", z.string()]],
    });
    const agent = rt.agentNode({ name: "streamer", model: model(server.baseURL), tools: [lookup] });
    const session = new rt.Session();
    const text = await session.run(async () => {
      let all = "";
      for await (const token of rt.stream(agent, "find a")) all += token;
      return all;
    });
    expect(text).toBe("found it");
    expect(session.tree.find("lookup")!.input).toEqual(["a"]);
    expect(server.requests[1]!.body.messages.at(-1)).toEqual({
      role: "tool",
      tool_call_id: "call_1",
      content: "value of a",
    });
  });
});

describe("retries, errors and secrets", () => {
  it("retries a 429 after the Retry-After it names, recording the attempt", async () => {
    server = await startServer([
      { status: 429, headers: { "retry-after": "1" }, json: { error: { message: "slow down" } } },
      { json: completion({ text: "ok now", usage: { input: 1, output: 1 } }) },
    ]);
    const node = rt.llmNode({ name: "patient", model: model(server.baseURL) });
    const session = new rt.Session();
    expect(await session.run(() => node("?"))).toBe("ok now");

    const [first, second] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    const record = session.tree.find("patient")!;
    const retries = record.events.filter((e) => e.name === "retry");
    expect(retries).toHaveLength(1);
    expect(retries[0]!.data).toMatchObject({ attempt: 1, status: 429, delayMs: 1000 });
    expect(record.attributes["runtrace.model.attempts"]).toBe(2);
    expect(record.status).toBe("ok");
  });

  it("retries a 5xx with backoff and gives up after maxRetries with the last status", async () => {
    server = await startServer([{ status: 503, json: { error: { message: "busy" } } }]);
    const node = rt.llmNode({ name: "busy", model: model(server.baseURL, { maxRetries: 1 }) });
    const session = new rt.Session();
    const error = (await session.run(() => node("?")).catch((e: unknown) => e)) as rt.ModelError;
    expect(error).toBeInstanceOf(rt.ModelError);
    expect(error.status).toBe(503);
    expect(server.requests).toHaveLength(2);
    expect(session.tree.find("busy")!.events.map((e) => e.name)).toEqual(["retry"]);
  });

  it("does not wait when Retry-After asks for longer than maxRetryDelayMs", async () => {
    server = await startServer([{ status: 429, headers: { "retry-after": "3600" }, json: {} }]);
    const node = rt.llmNode({ name: "limited", model: model(server.baseURL) });
    const error = (await rt.session("s", () => node("?")).catch((e: unknown) => e)) as rt.ModelError;
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(server.requests).toHaveLength(1);
  });

  it("fails a 401 with the endpoint and status, and the key is nowhere: error, records, stored file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "runtrace-llm-"));
    try {
      rt.configure({ store: rt.jsonlStore({ dir }) });
      // Like some real servers, this one echoes the key it was given.
      server = await startServer([
        (request) => ({
          status: 401,
          json: { error: { message: `Incorrect API key provided: ${request.headers.authorization}` } },
        }),
      ]);
      const node = rt.llmNode({ name: "locked", model: model(server.baseURL) });
      const session = new rt.Session({ name: "unauthorised" });
      const error = (await session.run(() => node("?")).catch((e: unknown) => e)) as rt.ModelError;
      await rt.flush();

      expect(error).toBeInstanceOf(rt.ModelError);
      expect(error.code).toBe("RUNTRACE_MODEL");
      expect(error.status).toBe(401);
      expect(error.endpoint).toBe(`${server.baseURL}/chat/completions`);
      expect(error.message).toContain(`POST ${server.baseURL}/chat/completions`);
      expect(error.message).toContain("401");
      expect(error.message).toContain("OPENAI_API_KEY");
      expect(error.body).toContain("Incorrect API key provided");
      expect(server.requests).toHaveLength(1);
      const everything = [error.message, error.stack, error.body, JSON.stringify(error), String(error.cause)];
      for (const text of everything) expect(text ?? "").not.toContain(KEY);
      expect(JSON.stringify(session.tree.toJSON())).not.toContain(KEY);
      expect(session.tree.find("locked")!.error?.message).toContain("401");
      const files = await readdir(dir);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const text = await readFile(join(dir, file), "utf8");
        expect(text).toContain("401");
        expect(text).not.toContain(KEY);
      }
    } finally {
      rt.configure({ store: null });
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("times out an attempt that gets no answer", async () => {
    server = await startServer([{ hang: true }]);
    const node = rt.llmNode({
      name: "silent",
      model: model(server.baseURL, { timeoutMs: 150, maxRetries: 0 }),
    });
    const error = (await rt.session("s", () => node("?")).catch((e: unknown) => e)) as rt.ModelError;
    expect(error).toBeInstanceOf(rt.ModelError);
    expect(error.message).toMatch(/timed out after 150 ms/);
  });

  it("names the endpoint when nothing listens there", async () => {
    const node = rt.llmNode({ name: "nowhere", model: model("http://127.0.0.1:9/v1", { maxRetries: 0 }) });
    const error = (await rt.session("s", () => node("?")).catch((e: unknown) => e)) as rt.ModelError;
    expect(error).toBeInstanceOf(rt.ModelError);
    expect(error.message).toContain("http://127.0.0.1:9/v1/chat/completions");
    expect(error.message).not.toContain(KEY);
  });

  it("reads OPENAI_BASE_URL and OPENAI_API_KEY, and names them when they are missing", async () => {
    const saved = { base: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };
    try {
      delete process.env.OPENAI_BASE_URL;
      delete process.env.OPENAI_API_KEY;
      expect(() => rt.openaiCompatible({ model: "m" })).toThrow(/OPENAI_BASE_URL/);
      expect(() => rt.openaiCompatible({ model: "m", baseURL: "http://x/v1" })).toThrow(/OPENAI_API_KEY/);
      server = await startServer([{ json: completion({ text: "from env" }) }]);
      process.env.OPENAI_BASE_URL = `${server.baseURL}/`;
      process.env.OPENAI_API_KEY = KEY;
      const fromEnv = rt.openaiCompatible({ model: "m" });
      expect(fromEnv.endpoint).toBe(`${server.baseURL}/chat/completions`);
      expect(JSON.stringify(fromEnv)).not.toContain(KEY);
      const node = rt.llmNode({ name: "env", model: fromEnv });
      expect(await rt.session("s", () => node("?"))).toBe("from env");
      expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    } finally {
      if (saved.base === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = saved.base;
      if (saved.key === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved.key;
    }
  });
});
