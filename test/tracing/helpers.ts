/**
 * What the cross-package tracing tests share: a receiver playing Jaeger, `setupTracing` pointed at
 * it, a logger that collects runtrace's warnings, and the cleanup of OpenTelemetry's process-wide
 * globals after each test.
 */
import { context, propagation, trace } from "@opentelemetry/api";
import * as rt from "@runtrace/core";
import { afterEach, beforeEach } from "vitest";
import { setupTracing, type Tracing, type TracingOptions } from "../../packages/core/src/otel.js";
import { resetWarnings } from "../../packages/core/src/recording/logger.js";
import type { ReceivedSpan } from "../otlp-receiver/decode.js";
import type { JaegerSpan } from "../otlp-receiver/jaeger.js";
import { type OtlpReceiver, type ReceiverOptions, startOtlpReceiver } from "../otlp-receiver/receiver.js";

/** Warnings runtrace reported through its logger during the current test. */
export const warnings: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

/** Registers the hooks of a tracing test file (call at the top level of the file). */
export function useTracingTestHooks(): void {
  beforeEach(() => {
    warnings.length = 0;
    resetWarnings();
    rt.configure({
      store: null,
      logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    });
  });
  afterEach(async () => {
    // Reverse order: tracing (set up after its receiver) shuts down before the receiver closes.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    trace.disable();
    context.disable();
    propagation.disable();
  });
}

export async function receiver(options?: ReceiverOptions): Promise<OtlpReceiver> {
  const started = await startOtlpReceiver(options);
  cleanups.push(() => started.close());
  return started;
}

export function tracing(options: TracingOptions): Tracing {
  const setup = setupTracing(options);
  cleanups.push(() => setup.shutdown());
  return setup;
}

/** A Jaeger span's tag value. */
export function tag(span: JaegerSpan, key: string): unknown {
  return span.tags.find((t) => t.key === key)?.value;
}

/** The runtrace call id a received span carries. */
export function callId(span: ReceivedSpan): string {
  return String(span.attributes["runtrace.call.id"]);
}
