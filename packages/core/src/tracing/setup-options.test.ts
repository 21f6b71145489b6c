import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidOptionsError } from "../errors.js";
import { batchSizes, exportTimeout, otlpProtocol, tracesUrl } from "./setup-options.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("setupTracing's options", () => {
  it("appends /v1/traces to a base URL and keeps a full traces URL", () => {
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "");
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "");
    expect(tracesUrl(undefined)).toBe("http://localhost:4318/v1/traces");
    expect(tracesUrl("http://jaeger:4318/")).toBe("http://jaeger:4318/v1/traces");
    expect(tracesUrl("https://otlp.example.com/v1/traces")).toBe("https://otlp.example.com/v1/traces");
    expect(() => tracesUrl("not a url")).toThrow(InvalidOptionsError);
  });

  it("puts /v1/traces before a query string", () => {
    expect(tracesUrl("https://otlp.example.com/?api-key=abc")).toBe(
      "https://otlp.example.com/v1/traces?api-key=abc",
    );
    expect(tracesUrl("https://otlp.example.com/otlp/?api-key=abc")).toBe(
      "https://otlp.example.com/otlp/v1/traces?api-key=abc",
    );
    expect(tracesUrl("https://otlp.example.com/v1/traces?api-key=abc")).toBe(
      "https://otlp.example.com/v1/traces?api-key=abc",
    );
  });

  it("reads the OTLP environment variables", () => {
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318");
    expect(tracesUrl(undefined)).toBe("http://collector:4318/v1/traces");
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9999/custom");
    expect(tracesUrl(undefined)).toBe("http://traces:9999/custom");
    vi.stubEnv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json");
    expect(otlpProtocol(undefined)).toBe("http/json");
    expect(otlpProtocol("http/protobuf")).toBe("http/protobuf");
  });

  it("rejects what it cannot do, saying what it expected", () => {
    expect(() => otlpProtocol("grpc")).toThrow(/"http\/protobuf" or "http\/json", got "grpc"/);
    expect(() => batchSizes({ maxQueueSize: 0 })).toThrow(/positive integer/);
    expect(() => batchSizes({ size: 1 } as never)).toThrow(/unknown option `batch.size`/);
    expect(() => exportTimeout(-1)).toThrow(/timeoutMs/);
  });

  it("sizes the batch processor for bursts", () => {
    const sizes = batchSizes(undefined);
    expect(sizes.maxQueueSize).toBeGreaterThanOrEqual(100_000);
    expect(sizes.maxExportBatchSize).toBe(8192);
    expect(batchSizes({ maxQueueSize: 100 }).maxExportBatchSize).toBe(100);
  });
});
