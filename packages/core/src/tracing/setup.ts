import { context, createContextKey, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from "@opentelemetry/sdk-trace-node";
import { describeValue, InvalidOptionsError } from "../errors.js";
import { onFlush } from "../flush.js";
import { checkOptionKeys } from "../option-keys.js";
import { logger, warnOnce } from "../recording/logger.js";
import { runtraceSpanProcessor } from "./foreign-spans.js";
import { FrameContextManager } from "./frame-context-manager.js";
// Makes sure the bridge is installed whichever entry point was loaded first.
import "./bridge.js";
import { forgetProvider, nameService } from "./provider.js";
import { ReportingExporter } from "./reporting-exporter.js";
import { configureTracing, type TracingSettings } from "./settings.js";
import {
  type BatchOptions,
  batchSizes,
  exportTimeout,
  type OtlpProtocol,
  otlpProtocol,
  tracesUrl,
} from "./setup-options.js";

export type { BatchOptions, OtlpProtocol } from "./setup-options.js";

/** Options of `setupTracing`. */
export interface TracingOptions extends TracingSettings {
  /** `service.name` of the spans: what Jaeger lists in its "Service" menu. Wins over `OTEL_SERVICE_NAME`. */
  serviceName: string;
  /**
   * Where spans go. A base URL gets `/v1/traces` appended; a URL ending in `/v1/traces` is used as is.
   * @default `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://localhost:4318`
   */
  endpoint?: string;
  /** @default `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` or `OTEL_EXPORTER_OTLP_PROTOCOL` when HTTP, else "http/protobuf" */
  protocol?: OtlpProtocol;
  /** HTTP headers of every export request (an API key of a hosted backend). */
  headers?: Record<string, string>;
  /**
   * How long one export may take, retries included: the exporter retries a backend that refuses
   * connections or answers 429/502/503/504 until then, so `flush()` can wait this long when it is down.
   * @default `OTEL_EXPORTER_OTLP_TIMEOUT`, else 10000
   */
  timeoutMs?: number;
  /** More resource attributes (`deployment.environment.name`, `service.version`, ...). */
  resourceAttributes?: Record<string, string | number | boolean>;
  /** Sizes of the batch processor. The defaults take a burst of 100,000 spans without a loss. */
  batch?: BatchOptions;
  /**
   * Also record, in runtrace's call tree, the spans other instrumentation starts during a runtrace
   * call (fetch, http, the openai SDK, your own spans): see `runtraceSpanProcessor`. @default true
   */
  foreignSpans?: boolean;
}

/** What `setupTracing` returns. */
export interface Tracing {
  /** The URL spans are posted to. */
  readonly endpoint: string;
  /** Resolves once every span ended so far has been exported (or reported lost). Never rejects. */
  flush(): Promise<void>;
  /**
   * Flushes, stops the exporter, and unregisters what `setupTracing` registered (the tracer provider,
   * and the context manager and propagator when it was the one to register them), so a later
   * `setupTracing` starts clean. Sessions opened afterwards are not traced. Never rejects.
   */
  shutdown(): Promise<void>;
}

const TRACING_OPTIONS = Object.keys({
  serviceName: true,
  endpoint: true,
  protocol: true,
  headers: true,
  timeoutMs: true,
  resourceAttributes: true,
  batch: true,
  foreignSpans: true,
  recordPayloads: true,
} satisfies Record<keyof TracingOptions, true>);

const PROBE = createContextKey("runtrace.probe");

/** Whether a context manager is registered: with none, `context.with` does not carry contexts. */
function hasContextManager(): boolean {
  const probe = ROOT_CONTEXT.setValue(PROBE, true);
  return context.with(probe, () => context.active() === probe);
}

function registeredDelegate(): unknown {
  const provider = trace.getTracerProvider() as { getDelegate?(): unknown };
  return typeof provider.getDelegate === "function" ? provider.getDelegate() : provider;
}

/**
 * Sends runtrace's spans (and every other span of the process) to Jaeger or any OTLP/HTTP backend:
 * a Node tracer provider with a resource holding `service.name` and the SDK's attributes, a batch
 * processor sized so bursts are not dropped, and the OTLP exporter, registered globally. It never
 * calls `process.exit` and installs no signal handler: call `shutdown()` (or `flush()`) before the
 * process ends. Export failures are reported once through runtrace's logger, never thrown.
 *
 * Needs the optional peer dependencies `@opentelemetry/sdk-trace-node`, `@opentelemetry/resources`
 * and the exporter of the protocol: `@opentelemetry/exporter-trace-otlp-proto` (default) or
 * `@opentelemetry/exporter-trace-otlp-http` (`"http/json"`).
 *
 * @example
 * ```ts
 * import * as rt from "@runtrace/core";
 * import { setupTracing } from "@runtrace/core/otel";
 *
 * const tracing = setupTracing({ serviceName: "report-builder" }); // Jaeger on localhost:4318
 * await rt.session("nightly", () => rt.call(pipeline, input));
 * await tracing.shutdown();
 * ```
 */
export function setupTracing(options: TracingOptions): Tracing {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(`setupTracing expected an options object, got ${describeValue(options)}.`);
  }
  checkOptionKeys("setupTracing", options, TRACING_OPTIONS);
  const { serviceName } = options;
  if (typeof serviceName !== "string" || serviceName === "") {
    throw new InvalidOptionsError(
      `setupTracing: expected \`serviceName\` to be a non-empty string (what Jaeger lists as the service), got ${describeValue(serviceName)}.`,
    );
  }
  if (options.foreignSpans !== undefined && typeof options.foreignSpans !== "boolean") {
    throw new InvalidOptionsError(
      `setupTracing: expected \`foreignSpans\` to be true or false, got ${describeValue(options.foreignSpans)}.`,
    );
  }
  const endpoint = tracesUrl(options.endpoint);
  const protocol = otlpProtocol(options.protocol);
  const sizes = batchSizes(options.batch);
  configureTracing(options.recordPayloads === undefined ? {} : { recordPayloads: options.recordPayloads });

  const exporterOptions = {
    url: endpoint,
    headers: options.headers,
    timeoutMillis: exportTimeout(options.timeoutMs),
    // flush() sends every queued batch at once: allow them all in flight.
    concurrencyLimit: Math.ceil(sizes.maxQueueSize / sizes.maxExportBatchSize) + 2,
  };
  const load = async (): Promise<SpanExporter> =>
    protocol === "http/json"
      ? new (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter(exporterOptions)
      : new (await import("@opentelemetry/exporter-trace-otlp-proto")).OTLPTraceExporter(exporterOptions);
  const exporter = new ReportingExporter(endpoint, load);

  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ ...options.resourceAttributes, "service.name": serviceName }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors:
      options.foreignSpans === false
        ? [new BatchSpanProcessor(exporter, sizes)]
        : [runtraceSpanProcessor(), new BatchSpanProcessor(exporter, sizes)],
  });

  nameService(provider, serviceName);
  const hadContextManager = hasContextManager();
  const hadPropagator = propagation.fields().length > 0;
  // runtrace's context manager keeps OpenTelemetry's context in its own frames (one storage for both);
  // an application that registered its own keeps it.
  provider.register({ contextManager: hadContextManager ? null : new FrameContextManager() });
  const ownsContextManager = !hadContextManager && hasContextManager();
  const ownsPropagator = !hadPropagator && propagation.fields().length > 0;
  if (registeredDelegate() !== provider) {
    warnOnce(
      "tracing:setup-twice",
      "setupTracing: another tracer provider is already registered (setupTracing called twice, or the application registered its own), so spans keep going to it and not to this exporter. Call shutdown() on the first one, or drop setupTracing and add an OTLP exporter to your provider.",
    );
  }
  forgetProvider();

  // Every span ended so far is exported: the processor sends what waits in its queue, and what it
  // sent on its own before (a full batch) may still be on its way.
  const flushAll = () => provider.forceFlush().then(() => exporter.settled());
  // rt.flush() also sends the spans waiting in this exporter.
  const unregisterFlush = onFlush(flushAll);
  let stopped: Promise<void> | undefined;
  const report = (what: string, error: unknown) => {
    try {
      logger().warn(`tracing: ${what} failed: ${String(error)}`);
    } catch {
      // A logger that throws must not break the application.
    }
  };
  return {
    endpoint,
    flush: () => flushAll().catch((error: unknown) => report("flush", error)),
    shutdown() {
      stopped ??= (async () => {
        // Unregister first: sessions opening from now on are not traced into a stopping provider.
        unregisterFlush();
        if (registeredDelegate() === provider) trace.disable();
        forgetProvider();
        await provider.shutdown().catch((error: unknown) => report("shutdown", error));
        if (ownsContextManager) context.disable();
        if (ownsPropagator) propagation.disable();
      })();
      return stopped;
    },
  };
}
