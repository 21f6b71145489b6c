/**
 * The rows that export OpenTelemetry spans over OTLP/HTTP protobuf to the sink: raw spans and Genkit
 * share one tracer provider built like `setupTracing`'s (same exporter, batch sizes and resource), so
 * the three rows differ only in what makes the spans.
 */
import type { ContextManager } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { genkit } from "genkit";
import { disableGenkitOTelInitialization } from "genkit/tracing";
import type { Sink } from "./sink.js";
import type { System } from "./system.js";
import { CALLS_PER_ROOT, fanOut, type Traced } from "./workload.js";

// setupTracing's defaults (packages/core/src/tracing/setup-options.ts and setup.ts).
const BATCH = {
  maxQueueSize: 262_144,
  maxExportBatchSize: 8192,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 30_000,
};
const CONCURRENCY = Math.ceil(BATCH.maxQueueSize / BATCH.maxExportBatchSize) + 2;

/** A tracer provider exporting to the sink as `setupTracing({ serviceName, endpoint: sink.url })` does. */
export function otlpProvider(sink: Sink, serviceName: string): NodeTracerProvider {
  const exporter = new OTLPTraceExporter({ url: `${sink.url}/v1/traces`, concurrencyLimit: CONCURRENCY });
  return new NodeTracerProvider({
    resource: defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      .merge(resourceFromAttributes({ "service.name": serviceName })),
    spanProcessors: [new BatchSpanProcessor(exporter, BATCH)],
  });
}

/** Runs `roots` roots, then flushes the provider. */
async function exported(
  roots: number,
  root: () => Promise<unknown>,
  provider: NodeTracerProvider,
  beforeEach?: () => void,
): Promise<void> {
  for (let i = 0; i < roots; i++) {
    beforeEach?.();
    await root();
  }
  await provider.forceFlush();
}

/** Counting a system's spans at the sink: from zero at each sample, all of them in the window. */
function counted(sink: Sink): Pick<System, "prepare" | "delivered" | "recorded"> {
  return {
    async prepare() {
      await sink.take();
    },
    delivered: async (roots) => (await sink.waitFor("spans", roots * CALLS_PER_ROOT)).waited,
    recorded: async () => (await sink.take()).spans,
  };
}

/**
 * Raw `tracer.startActiveSpan` around each function, with the attributes a runtrace call's span
 * carries: `runtrace.node`, `runtrace.kind`, `runtrace.session.id` (one per root), `runtrace.call.id`.
 */
export function rawSpans(sink: Sink, provider: NodeTracerProvider, contextManager: ContextManager): System {
  const tracer = provider.getTracer("bench-raw");
  let sessionId = "";
  let callId = 0;
  let roots = 0;
  const traced: Traced = (name, body) => () =>
    tracer.startActiveSpan(
      name,
      {
        attributes: {
          "runtrace.node": name,
          "runtrace.kind": "function",
          "runtrace.session.id": sessionId,
          "runtrace.call.id": String(++callId),
        },
      },
      async (span) => {
        try {
          return await body();
        } finally {
          span.end();
        }
      },
    );
  const root = fanOut(traced);
  // A session id of runtrace's shape ("20261128-123245-b811050d7d") and call ids from 1, per root.
  const nextRoot = () => {
    sessionId = `20261128-123245-${(roots++).toString(16).padStart(10, "0")}`;
    callId = 0;
  };
  return {
    name: "raw OTel startActiveSpan, same attributes",
    perRoot: CALLS_PER_ROOT,
    provider,
    contextManager,
    ...counted(sink),
    run: (n) => exported(n, root, provider, nextRoot),
  };
}

/** Genkit's `ai.run` steps, its spans going to the application's provider (Genkit's own SDK off). */
export function genkitRun(sink: Sink, provider: NodeTracerProvider, contextManager: ContextManager): System {
  disableGenkitOTelInitialization();
  const ai = genkit({});
  const root = fanOut((name, body) => () => ai.run(name, body));
  return {
    name: "Genkit ai.run (same exporter)",
    perRoot: CALLS_PER_ROOT,
    provider,
    contextManager,
    ...counted(sink),
    run: (n) => exported(n, root, provider),
  };
}
