import { describeValue, InvalidOptionsError } from "./errors.js";
import { checkOptionKeys } from "./option-keys.js";
import { type Logger, setLogger } from "./recording/logger.js";
import type { RedactConfig, RedactOptions } from "./recording/redact.js";
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

const CONFIGURE_OPTIONS = Object.keys({
  store: true,
  redact: true,
  maxPayloadBytes: true,
  limits: true,
  record: true,
  logger: true,
} satisfies Record<keyof ConfigureOptions, true>);

const RECORD_OPTIONS = Object.keys({ input: true, output: true } satisfies Record<"input" | "output", true>);

const REDACT_OPTIONS = Object.keys({
  keys: true,
  patterns: true,
  replacement: true,
  defaults: true,
} satisfies Record<keyof RedactOptions, true>);

const WHERE = "rt.configure";

/** Checks the shape of `redact` (the rules themselves are the redactor's business). */
function checkRedact(redact: unknown): void {
  if (typeof redact === "boolean") return;
  if (typeof redact !== "object" || redact === null || Array.isArray(redact)) {
    throw new InvalidOptionsError(
      `${WHERE}: expected \`redact\` to be true, false or { keys?, patterns?, replacement?, defaults? }, got ${describeValue(redact)}.`,
    );
  }
  checkOptionKeys(WHERE, redact, REDACT_OPTIONS, "redact");
}

/** Checks the shape of `record`: a boolean or `{ input?, output? }` of booleans. */
function checkRecord(record: unknown): void {
  if (typeof record === "boolean") return;
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw new InvalidOptionsError(
      `${WHERE}: expected \`record\` to be true, false or { input?: boolean, output?: boolean }, got ${describeValue(record)}.`,
    );
  }
  checkOptionKeys(WHERE, record, RECORD_OPTIONS, "record");
  for (const key of RECORD_OPTIONS) {
    const value = (record as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== "boolean") {
      throw new InvalidOptionsError(
        `${WHERE}: expected \`record.${key}\` to be true or false, got ${describeValue(value)}.`,
      );
    }
  }
}

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
  // Everything is checked before anything changes: a rejected call leaves the settings as they were.
  checkOptionKeys(WHERE, options, CONFIGURE_OPTIONS);
  if (options.redact !== undefined) checkRedact(options.redact);
  if (options.record !== undefined) checkRecord(options.record);
  if (
    options.limits !== undefined &&
    (typeof options.limits !== "object" || options.limits === null || Array.isArray(options.limits))
  ) {
    throw new InvalidOptionsError(
      `${WHERE}: expected \`limits\` to be an object such as { maxStringLength: 4096 }, got ${describeValue(options.limits)}.`,
    );
  }
  checkOptionKeys(WHERE, options.limits ?? {}, Object.keys(DEFAULT_LIMITS), "limits");
  const limits = { ...settings.sanitize.limits };
  for (const [key, value] of Object.entries(options.limits ?? {})) {
    limits[key as keyof PayloadLimits] = checkLimit(`limits.${key}`, value);
  }
  if (options.maxPayloadBytes !== undefined)
    limits.maxPayloadBytes = checkLimit("maxPayloadBytes", options.maxPayloadBytes);
  const store = options.store;
  if (store !== undefined && store !== null && typeof (store as Store).openSession !== "function") {
    throw new InvalidOptionsError(
      `rt.configure: expected \`store\` to be a store (rt.jsonlStore(), rt.memoryStore()) or null, got ${describeValue(store)}.`,
    );
  }
  const redactor = options.redact === undefined ? settings.sanitize.redactor : new Redactor(options.redact);
  settings.sanitize = { limits, redactor };
  if (store !== undefined) settings.store = store;
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
