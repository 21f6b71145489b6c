/**
 * The model calls of the SDK integrations as OpenTelemetry spans: `chat {model}` client spans with
 * the GenAI attributes, under the caller's span, and the AI SDK's tools as `execute_tool` spans.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { context, propagation, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import * as rt from "@runtrace/core";
import { aiTools, runtraceMiddleware } from "@runtrace/core/ai-sdk";
import { wrapOpenAI } from "@runtrace/core/openai";
import { generateText, stepCountIs, wrapLanguageModel } from "ai";
import OpenAI from "openai";
import { afterEach, beforeEach, expect, it } from "vitest";
import { z } from "zod";
import { completion, startServer, type TestServer } from "../llm/server.js";

let server: TestServer | undefined;
let memory: InMemorySpanExporter;
let provider: NodeTracerProvider;

beforeEach(() => {
  rt.configure({ store: null });
  memory = new InMemorySpanExporter();
  provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  provider.register();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const spanNamed = (name: string) => memory.getFinishedSpans().filter((span) => span.name === name);

it("a wrapped openai request is a `chat {model}` client span under its caller, with the GenAI attributes", async () => {
  server = await startServer([
    { json: completion({ text: "Hello!", usage: { input: 21, output: 3 } }) },
    { status: 429, json: { error: { message: "Slow down" } } },
  ]);
  const openai = wrapOpenAI(new OpenAI({ baseURL: server.baseURL, apiKey: "test", maxRetries: 0 }));
  const ask = rt.functionNode(
    async () => {
      await openai.chat.completions.create({
        model: "test-model",
        messages: [{ role: "user", content: "Hi" }],
      });
      await openai.chat.completions.create({ model: "test-model", messages: [] }).catch(() => {});
    },
    { name: "ask" },
  );
  await rt.session("spans", () => ask());

  const [parent] = spanNamed("ask");
  const [ok, failed] = spanNamed("chat test-model");
  expect(ok!.kind).toBe(SpanKind.CLIENT);
  expect(ok!.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId);
  expect(ok!.attributes).toMatchObject({
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "test-model",
    "gen_ai.provider.name": "openai",
    "gen_ai.response.model": "test-model-2025",
    "gen_ai.usage.input_tokens": 21,
    "gen_ai.usage.output_tokens": 3,
    "gen_ai.response.finish_reasons": ["stop"],
  });
  expect(failed!.attributes["http.response.status_code"]).toBe(429);
  expect(failed!.status.code).toBe(2);
});

it("an AI SDK run is chat spans and execute_tool spans, side by side under the caller's span", async () => {
  server = await startServer([
    { json: completion({ toolCalls: [{ id: "call_1", name: "weather", arguments: { city: "Oslo" } }] }) },
    { json: completion({ text: "Sunny." }) },
  ]);
  const model = wrapLanguageModel({
    model: createOpenAI({ baseURL: server.baseURL, apiKey: "test" }).chat("test-model"),
    middleware: runtraceMiddleware(),
  });
  const weather = rt.functionNode(async (city: string) => `${city}: sunny`, {
    name: "weather",
    kind: "tool",
    params: [["city", z.string()]],
  });
  const brief = rt.functionNode(
    () => generateText({ model, prompt: "Oslo?", tools: aiTools([weather]), stopWhen: stepCountIs(2) }),
    { name: "brief" },
  );
  await rt.session("spans", () => brief());

  const [parent] = spanNamed("brief");
  const children = memory
    .getFinishedSpans()
    .filter((span) => span.parentSpanContext?.spanId === parent!.spanContext().spanId)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  expect(children.map((span) => span.name)).toEqual([
    "chat test-model",
    "execute_tool weather",
    "chat test-model",
  ]);
  expect(children[1]!.attributes).toMatchObject({
    "gen_ai.tool.name": "weather",
    "gen_ai.tool.call.id": "call_1",
  });
});
