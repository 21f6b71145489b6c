/**
 * The peers with tracing of their own: the OpenAI Agents SDK's custom spans and LangSmith's
 * `traceable`, each through its own export path.
 */
import {
  BatchTraceProcessor,
  setTraceProcessors,
  setTracingDisabled,
  type TracingExporter,
  withCustomSpan,
  withTrace,
} from "@openai/agents-core";
import { Client } from "langsmith";
import { traceable } from "langsmith/traceable";
import type { Sink } from "./sink.js";
import type { System } from "./system.js";
import { CALLS_PER_ROOT, fanOut } from "./workload.js";

/**
 * OpenAI Agents: `withTrace` per root, `withCustomSpan` around each function, the SDK's
 * `BatchTraceProcessor` with its default sizes. Its exporter serializes every trace and span with
 * `toJSON()`, as the SDK's OpenAI exporter does before it posts them, and keeps only a count: this
 * row pays no network.
 */
export function openaiAgents(): System {
  let items = 0;
  const exporter: TracingExporter = {
    async export(batch) {
      for (const item of batch) if (item.toJSON() !== null) items++;
    },
  };
  const processor = new BatchTraceProcessor(exporter);
  setTraceProcessors([processor]);
  setTracingDisabled(false);
  const root = fanOut((name, body) => () => withCustomSpan(() => body(), { data: { name } }));
  return {
    name: "OpenAI Agents withCustomSpan",
    // The trace, then one span per call.
    perRoot: 1 + CALLS_PER_ROOT,
    prepare() {
      items = 0;
    },
    async run(roots) {
      for (let i = 0; i < roots; i++) await withTrace("root", () => root());
      await processor.forceFlush();
    },
    recorded: async () => items,
  };
}

/**
 * LangSmith: `traceable` around each function, its client posting runs to the sink (a LangSmith
 * endpoint on 127.0.0.1 answering `/info` with nothing, so the client keeps its defaults: multipart
 * batches, no compression). The window ends when `awaitPendingTraceBatches` resolves.
 */
export function langsmith(sink: Sink, roots: number): System {
  const client = new Client({ apiUrl: sink.url, apiKey: "runtrace-bench" });
  const root = fanOut((name, body) => traceable(body, { name, client, tracingEnabled: true }));
  return {
    name: "LangSmith traceable (local sink)",
    roots,
    perRoot: CALLS_PER_ROOT,
    async prepare() {
      await sink.take();
    },
    async run(n) {
      for (let i = 0; i < n; i++) await root();
      await client.awaitPendingTraceBatches();
    },
    delivered: async (n) => (await sink.waitFor("runs", n * CALLS_PER_ROOT)).waited,
    recorded: async () => (await sink.take()).runs,
  };
}
