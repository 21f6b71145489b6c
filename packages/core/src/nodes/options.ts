import type { ZodType } from "zod";
import { describeValue, InvalidOptionsError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";
import type { NodeKind } from "../recording/types.js";
import { expectDuration, expectPositiveInteger } from "./option-checks.js";
import { type RetryOption, type RetryPolicy, retryPolicy } from "./retry-policy.js";
import { checkReturnsOption, Params, type ParamsOption } from "./schema.js";
import { checkParamNames } from "./typed-params.js";

/** What to record of a node's calls. */
export interface RecordOptions {
  /** Record the arguments. @default true */
  input?: boolean;
  /** Record the result. @default true */
  output?: boolean;
}

/** Options of `rt.functionNode` and `@rt.functionNode(options)`. */
export interface NodeOptions {
  /** The node's name in trees, spans and the registry. @default the function's name (`Class.method` for methods) */
  name?: string;
  /** @default "function" */
  kind?: NodeKind;
  /** What the node does; shown to models when the node is a tool. */
  description?: string;
  /**
   * Schemas of the arguments: validated before each run, and the node's tool schema. @default for
   * a decorated method under `emitDecoratorMetadata` with reflect-metadata loaded, read from its
   * declared parameter types (see `paramNames`, `@rt.field`)
   */
  params?: ParamsOption;
  /**
   * Names of a decorated method's parameters when they are described by their declared types.
   * @default read from the method's source
   */
  paramNames?: string[];
  /** Schema of the result, validated after each run. */
  returns?: ZodType;
  /** Attempts and backoff for failing runs. */
  retry?: RetryOption;
  /** Each attempt fails with `NodeTimeoutError` after this many milliseconds. */
  timeoutMs?: number;
  /** How many executions of this node may run at once in this process. @default unlimited */
  concurrency?: number;
  /** What to record of each call. */
  record?: RecordOptions;
  /** Attributes put on every call's record and span. */
  attributes?: Record<string, unknown>;
}

export const NODE_KINDS: readonly NodeKind[] = ["function", "tool", "llm", "agent", "flow"];

const KNOWN_OPTIONS = Object.keys({
  name: true,
  kind: true,
  description: true,
  params: true,
  paramNames: true,
  returns: true,
  retry: true,
  timeoutMs: true,
  concurrency: true,
  record: true,
  attributes: true,
} satisfies Record<keyof NodeOptions, true>);

const RECORD_OPTIONS = Object.keys({ input: true, output: true } satisfies Record<keyof RecordOptions, true>);

function recordFlag(where: string, record: RecordOptions | undefined, key: keyof RecordOptions): boolean {
  const value = record?.[key] ?? true;
  if (typeof value !== "boolean") {
    throw new InvalidOptionsError(
      `${where}: expected \`record.${key}\` to be true or false, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/**
 * A node's `concurrency` option, checked: how many executions of it may run at once in this
 * process. An object rather than the bare number because the runtime keeps one gate per limit,
 * keyed by this object: every call of the node, on every instance of a decorated method, and every
 * copy of its definition (an agent's tool twin of the node) wait at the same gate.
 */
export interface ConcurrencyLimit {
  readonly limit: number;
}

/**
 * Everything the runtime needs about a node, checked once at definition. Plain data: what runs
 * it (a concurrency gate, timers) is made by the runtime when it runs.
 */
export interface NodeDef {
  readonly name: string;
  readonly kind: NodeKind;
  readonly description: string | undefined;
  readonly options: Readonly<NodeOptions>;
  readonly fn: (...args: any[]) => unknown;
  readonly params: Params | undefined;
  readonly returns: ZodType | undefined;
  readonly retry: RetryPolicy | undefined;
  readonly timeoutMs: number | undefined;
  readonly concurrency: ConcurrencyLimit | undefined;
  readonly recordInput: boolean;
  readonly recordOutput: boolean;
  readonly attributes: Record<string, unknown> | undefined;
}

/** Checks options and builds a node definition; throws `InvalidOptionsError` with the fix. */
export function defineNode(
  fn: (...args: any[]) => unknown,
  name: string,
  options: NodeOptions,
  typedParams?: ParamsOption,
): NodeDef {
  const where = `Node "${name}"`;
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `${where}: expected options to be an object, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys(where, options, KNOWN_OPTIONS);
  const record = options.record;
  if (record !== undefined) {
    if (typeof record !== "object" || record === null) {
      throw new InvalidOptionsError(
        `${where}: expected \`record\` to be { input?: boolean, output?: boolean }, got ${describeValue(record)}.`,
      );
    }
    checkOptionKeys(where, record, RECORD_OPTIONS, "record");
  }
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidOptionsError(
      `A node needs a name: expected \`name\` to be a non-empty string, got ${describeValue(name)}. Pass { name: "..." } or use a named function.`,
    );
  }
  const kind = options.kind ?? "function";
  if (!NODE_KINDS.includes(kind)) {
    throw new InvalidOptionsError(
      `${where}: expected \`kind\` to be one of ${NODE_KINDS.map((k) => `"${k}"`).join(", ")}, got ${describeValue(kind)}.`,
    );
  }
  if (options.description !== undefined && typeof options.description !== "string") {
    throw new InvalidOptionsError(
      `${where}: expected \`description\` to be a string, got ${describeValue(options.description)}.`,
    );
  }
  if (
    options.attributes !== undefined &&
    (typeof options.attributes !== "object" || options.attributes === null)
  ) {
    throw new InvalidOptionsError(
      `${where}: expected \`attributes\` to be an object, got ${describeValue(options.attributes)}.`,
    );
  }
  if (checkParamNames(where, options.paramNames) !== undefined && options.params !== undefined) {
    throw new InvalidOptionsError(
      `${where}: \`paramNames\` names parameters described by their declared types; with \`params\`, name them there instead ([["query", z.string()], ...]).`,
    );
  }
  const concurrency =
    options.concurrency === undefined
      ? undefined
      : expectPositiveInteger(where, "concurrency", options.concurrency, "how many runs at once");
  return {
    name,
    kind,
    description: options.description,
    options: Object.freeze({ ...options }),
    fn,
    params:
      options.params !== undefined
        ? new Params(where, options.params)
        : typedParams !== undefined
          ? new Params(where, typedParams, true)
          : undefined,
    returns: checkReturnsOption(where, options.returns),
    retry: retryPolicy(where, options.retry),
    timeoutMs:
      options.timeoutMs === undefined
        ? undefined
        : expectDuration(where, "timeoutMs", options.timeoutMs, true),
    concurrency: concurrency === undefined ? undefined : Object.freeze({ limit: concurrency }),
    recordInput: recordFlag(where, record, "input"),
    recordOutput: recordFlag(where, record, "output"),
    attributes: options.attributes,
  };
}
