import { describeValue, InvalidOptionsError } from "../errors.js";
import { expectDuration, expectPositiveInteger } from "../nodes/option-checks.js";
import { checkOptionKeys } from "../option-keys.js";
import type { FlowOptions, OnError, ResolvedFlowOptions } from "./types.js";

const ON_ERROR: readonly OnError[] = ["fail-fast", "continue"];
const KNOWN = Object.keys({
  parallel: true,
  concurrency: true,
  onError: true,
  returns: true,
  description: true,
  timeoutMs: true,
} satisfies Record<keyof FlowOptions, true>);

/**
 * Checks the options of a flow and fills in the defaults. Every problem is an `InvalidOptionsError`
 * naming the option, the value received and what was expected.
 */
export function resolveFlowOptions(
  flow: string,
  options: unknown,
  steps: ReadonlyMap<string, number>,
): ResolvedFlowOptions {
  const where = `Flow "${flow}"`;
  if (options === undefined) options = {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError(
      `${where}: expected options to be an object { parallel?, concurrency?, onError?, returns? }, got ${describeValue(options)}.`,
    );
  }
  const o = options as Record<string, unknown>;
  checkOptionKeys(where, o, KNOWN);
  const parallel = o.parallel ?? true;
  if (typeof parallel !== "boolean") {
    throw new InvalidOptionsError(
      `${where}: expected \`parallel\` to be true or false, got ${describeValue(o.parallel)}.`,
    );
  }
  const concurrency =
    o.concurrency === undefined
      ? undefined
      : expectPositiveInteger(where, "concurrency", o.concurrency, "how many steps may run at once");
  if (!parallel && concurrency !== undefined && concurrency > 1) {
    throw new InvalidOptionsError(
      `${where}: \`parallel: false\` runs one step at a time, but \`concurrency\` is ${concurrency}. Drop one of the two options.`,
    );
  }
  const onError = o.onError ?? "fail-fast";
  if (!ON_ERROR.includes(onError as OnError)) {
    throw new InvalidOptionsError(
      `${where}: expected \`onError\` to be ${ON_ERROR.map((v) => `"${v}"`).join(" or ")}, got ${describeValue(o.onError)}.`,
    );
  }
  if (o.returns !== undefined && (typeof o.returns !== "string" || !steps.has(o.returns))) {
    throw new InvalidOptionsError(
      `${where}: expected \`returns\` to name one of its steps (${[...steps.keys()].join(", ")}), got ${describeValue(o.returns)}. Use a step name, or leave \`returns\` out to get every output.`,
    );
  }
  if (o.description !== undefined && typeof o.description !== "string") {
    throw new InvalidOptionsError(
      `${where}: expected \`description\` to be a string, got ${describeValue(o.description)}.`,
    );
  }
  return Object.freeze({
    parallel,
    concurrency,
    onError: onError as OnError,
    returns: o.returns as string | undefined,
    description: o.description as string | undefined,
    timeoutMs: o.timeoutMs === undefined ? undefined : expectDuration(where, "timeoutMs", o.timeoutMs, true),
  });
}
