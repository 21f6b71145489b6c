import { describeValue, InvalidOptionsError } from "./errors.js";
import { type Logger, setLogger } from "./internal/logger.js";
import type { RedactConfig } from "./recording/redact.js";
import { Redactor } from "./recording/redact.js";
import { DEFAULT_LIMITS, type PayloadLimits, type SanitizeOptions } from "./recording/sanitize.js";
import { jsonlStore } from "./stores/jsonl.js";
import type { Store } from "./stores/store.js";

/** Options of `rt.configure`. Each one given replaces the current setting; the others stay. */
export interface ConfigureOptions {
  /**
   * Where sessions are stored; `null` stores nothing (trees stay in memory on each session).
   * @default rt.jsonlStore() in `RUNTRACE_DIR` or `.runtrace`, or nothing when `RUNTRACE_STORE=off`
   */
  store?: Store | null;
  /** Secret redaction: `false` turns it off, an object adds rules. @default true (built-in rules) */
  redact?: RedactConfig;
  /** Budget for one recorded value (an input or an output) as JSON. @default 65536 */
  maxPayloadBytes?: number;
  /** The other size limits of recorded values. */
  limits?: Partial<PayloadLimits>;
  /**
   * `false` keeps no records at all (calls still get context, signals, retries and timeouts);
   * `{ input: false }` or `{ output: false }` records calls without their values.
   * @default true
   */
  record?: boolean | { input?: boolean; output?: boolean };
  /** Where runtrace reports its own problems. @default console (stderr), prefixed `[runtrace]` */
  logger?: Logger;
}

/** The settings every new session reads once. */
export interface Settings {
  store: Store | null | undefined;
  sanitize: SanitizeOptions;
  recording: boolean;
  recordInput: boolean;
  recordOutput: boolean;
}

const settings: Settings = {
  store: undefined,
  sanitize: { limits: { ...DEFAULT_LIMITS }, redactor: new Redactor(true) },
  recording: true,
  recordInput: true,
  recordOutput: true,
};

function checkLimit(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new InvalidOptionsError(
      `rt.configure: expected \`${name}\` to be a positive integer, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/**
 * Sets how runtrace records. Sessions already running keep the settings they started with.
 *
 * @example
 * ```ts
 * rt.configure({ store: rt.memoryStore(), redact: { keys: ["ssn"] }, maxPayloadBytes: 16_384 });
 * ```
 */
export function configure(options: ConfigureOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(`rt.configure expected an options object, got ${describeValue(options)}.`);
  }
  const limits = { ...settings.sanitize.limits };
  for (const [key, value] of Object.entries(options.limits ?? {})) {
    if (!(key in DEFAULT_LIMITS)) {
      throw new InvalidOptionsError(
        `rt.configure: unknown limit \`${key}\`. Known limits: ${Object.keys(DEFAULT_LIMITS).join(", ")}.`,
      );
    }
    limits[key as keyof PayloadLimits] = checkLimit(`limits.${key}`, value);
  }
  if (options.maxPayloadBytes !== undefined)
    limits.maxPayloadBytes = checkLimit("maxPayloadBytes", options.maxPayloadBytes);
  const redactor = options.redact === undefined ? settings.sanitize.redactor : new Redactor(options.redact);
  settings.sanitize = { limits, redactor };
  if (options.store !== undefined) {
    const store = options.store;
    if (store !== null && typeof (store as Store).openSession !== "function") {
      throw new InvalidOptionsError(
        `rt.configure: expected \`store\` to be a store (rt.jsonlStore(), rt.memoryStore()) or null, got ${describeValue(store)}.`,
      );
    }
    settings.store = store;
  }
  if (options.record !== undefined) {
    const record = options.record;
    settings.recording = record !== false;
    settings.recordInput = typeof record === "object" ? (record.input ?? true) : true;
    settings.recordOutput = typeof record === "object" ? (record.output ?? true) : true;
  }
  if (options.logger !== undefined) setLogger(options.logger);
}

/** The current settings (read by each new session). */
export function currentSettings(): Settings {
  return settings;
}

/** The store a session uses when it names none: the configured one, else the default. */
export function resolveStore(): Store | null {
  if (settings.store === undefined) {
    settings.store = process.env.RUNTRACE_STORE === "off" ? null : jsonlStore();
  }
  return settings.store;
}
