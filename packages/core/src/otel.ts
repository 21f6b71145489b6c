/// <reference types="node" preserve="true" />
/**
 * `@runtrace/core/otel`: one call that sends runtrace's spans to Jaeger or any OTLP/HTTP backend.
 * Applications that already run an OpenTelemetry SDK do not need it: runtrace's spans go to
 * whichever tracer provider is registered.
 *
 * @example
 * ```ts
 * import { setupTracing } from "@runtrace/core/otel";
 * const tracing = setupTracing({ serviceName: "my-agent" }); // OTLP/HTTP to localhost:4318
 * // ... run sessions ...
 * await tracing.shutdown();
 * ```
 *
 * @packageDocumentation
 */

export type { RuntraceSpanProcessor } from "./tracing/foreign-spans.js";
export { runtraceSpanProcessor } from "./tracing/foreign-spans.js";
export type { BatchOptions, OtlpProtocol, Tracing, TracingOptions } from "./tracing/setup.js";
export { setupTracing } from "./tracing/setup.js";
