// Names the samples of docs/tracing.md use without defining them (see core.ts).
import * as rt from "@runtrace/core";

export { createServer } from "node:http";
export { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
export { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
export { setupTracing } from "@runtrace/core/otel";
export { rt };

export const splitText = rt.functionNode((text: string) => text.split(" "), { name: "splitText" });
export const url = "http://127.0.0.1:8080";
