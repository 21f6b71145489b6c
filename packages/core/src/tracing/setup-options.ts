import { describeValue, InvalidOptionsError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";
import { warnOnce } from "../recording/logger.js";

/** The OTLP encodings `setupTracing` can send over HTTP. */
export type OtlpProtocol = "http/protobuf" | "http/json";

/** Sizes of `setupTracing`'s batch processor (see `BatchSpanProcessor`). */
export interface BatchOptions {
  /** Spans held while waiting for export; beyond it new spans are dropped. @default 262144 */
  maxQueueSize?: number;
  /** Spans per export request. @default 8192 */
  maxExportBatchSize?: number;
  /** How long a partly filled batch waits before it is sent. @default 1000 */
  scheduledDelayMillis?: number;
  /** How long one export may take before the processor gives up on it. @default 30000 */
  exportTimeoutMillis?: number;
}

/**
 * The default processor (queue 2048, batch 512) drops most of a burst: a loop of 100,000 calls ends
 * spans far faster than 512-span requests go out. A deep queue holds the burst; big batches keep the
 * number of requests (and of those in flight at once during a flush) small.
 */
const DEFAULT_BATCH: Required<BatchOptions> = {
  maxQueueSize: 262_144,
  maxExportBatchSize: 8192,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 30_000,
};

const PROTOCOLS: readonly string[] = ["http/protobuf", "http/json"];
const TRACES_PATH = "/v1/traces";

/** The traces URL: the option (a base URL gets `/v1/traces`), else the OTLP environment variables. */
export function tracesUrl(endpoint: string | undefined): string {
  const env = process.env;
  let url: string;
  if (endpoint !== undefined) {
    if (typeof endpoint !== "string" || endpoint === "") {
      throw new InvalidOptionsError(
        `setupTracing: expected \`endpoint\` to be a URL such as "http://localhost:4318", got ${describeValue(endpoint)}.`,
      );
    }
    url = endpoint;
  } else if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  } else {
    url = env.OTEL_EXPORTER_OTLP_ENDPOINT || "http://localhost:4318";
  }
  try {
    new URL(url);
  } catch {
    throw new InvalidOptionsError(
      `setupTracing: the OTLP endpoint ${JSON.stringify(url)} is not a URL; expected something like "http://localhost:4318".`,
    );
  }
  if (/[?#]/.test(url)) {
    // The path goes before a query string (`?api-key=...`), not after it.
    const parsed = new URL(url);
    const path = parsed.pathname.replace(/\/+$/, "");
    if (!path.endsWith(TRACES_PATH)) parsed.pathname = `${path}${TRACES_PATH}`;
    return parsed.href;
  }
  const base = url.replace(/\/+$/, "");
  return base.endsWith(TRACES_PATH) ? base : `${base}${TRACES_PATH}`;
}

/** The protocol: the option, else the OTLP environment variables when they name an HTTP one. */
export function otlpProtocol(option: unknown): OtlpProtocol {
  if (option !== undefined) {
    if (typeof option !== "string" || !PROTOCOLS.includes(option)) {
      throw new InvalidOptionsError(
        `setupTracing: expected \`protocol\` to be "http/protobuf" or "http/json", got ${describeValue(option)}.`,
      );
    }
    return option as OtlpProtocol;
  }
  const env = process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (env === undefined || env === "") return "http/protobuf";
  if (PROTOCOLS.includes(env)) return env as OtlpProtocol;
  warnOnce(
    "tracing:protocol",
    `setupTracing: OTLP protocol ${JSON.stringify(env)} from the environment is not supported here; using "http/protobuf".`,
  );
  return "http/protobuf";
}

/** The exporter's timeout in milliseconds; `undefined` leaves it to `OTEL_EXPORTER_OTLP_TIMEOUT` or 10 s. */
export function exportTimeout(option: unknown): number | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== "number" || !Number.isInteger(option) || option < 1) {
    throw new InvalidOptionsError(
      `setupTracing: expected \`timeoutMs\` to be a positive integer of milliseconds, got ${describeValue(option)}.`,
    );
  }
  return option;
}

/** The batch processor's sizes: the defaults with valid options applied. */
export function batchSizes(options: BatchOptions | undefined): Required<BatchOptions> {
  const sizes = { ...DEFAULT_BATCH };
  if (options === undefined) return sizes;
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `setupTracing: expected \`batch\` to be an object, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys("setupTracing", options, Object.keys(DEFAULT_BATCH), "batch");
  for (const key of Object.keys(options) as Array<keyof BatchOptions>) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
      throw new InvalidOptionsError(
        `setupTracing: expected \`batch.${key}\` to be a positive integer, got ${describeValue(value)}.`,
      );
    }
    sizes[key] = value;
  }
  sizes.maxExportBatchSize = Math.min(sizes.maxExportBatchSize, sizes.maxQueueSize);
  return sizes;
}
