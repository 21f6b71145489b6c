import { describeValue, InvalidOptionsError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";
import type { PayloadSettings } from "./session-tracer.js";

/** Options of `rt.configureTracing` (also accepted by `setupTracing`). */
export interface TracingSettings {
  /**
   * Put each call's recorded input and output on its span, as JSON text in `runtrace.input` and
   * `runtrace.output`. They are the recorded values: redacted and cut like everything runtrace
   * records, and absent when a node or `rt.configure({ record })` does not record them. `true` turns
   * both on; `{ input: true }` only inputs. Payloads make spans much larger: leave this off for
   * high-volume production traces.
   * @default false
   */
  recordPayloads?: boolean | { input?: boolean; output?: boolean };
}

let payloads: PayloadSettings = { input: false, output: false };

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new InvalidOptionsError(
      `rt.configureTracing: expected \`${name}\` to be a boolean, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/**
 * Sets what runtrace's spans carry. Sessions already running keep the settings they started with.
 * Spans themselves are on whenever the application registered an OpenTelemetry tracer provider (or
 * called `setupTracing`), and cost nothing when it did not.
 *
 * @example
 * ```ts
 * rt.configureTracing({ recordPayloads: { input: true, output: true } });
 * ```
 */
export function configureTracing(options: TracingSettings): void {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `rt.configureTracing expected an options object, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys(
    "rt.configureTracing",
    options,
    Object.keys({ recordPayloads: true } satisfies Record<keyof TracingSettings, true>),
  );
  const record = options.recordPayloads;
  if (record === undefined) return;
  if (typeof record === "boolean") {
    payloads = { input: record, output: record };
  } else if (typeof record === "object" && record !== null) {
    checkOptionKeys("rt.configureTracing", record, ["input", "output"], "recordPayloads");
    payloads = {
      input: flag("recordPayloads.input", record.input),
      output: flag("recordPayloads.output", record.output),
    };
  } else {
    throw new InvalidOptionsError(
      `rt.configureTracing: expected \`recordPayloads\` to be a boolean or { input?, output? }, got ${describeValue(record)}.`,
    );
  }
}

/** The payload settings a new session reads once. */
export function payloadSettings(): PayloadSettings {
  return payloads;
}
