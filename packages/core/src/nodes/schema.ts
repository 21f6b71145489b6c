import { toJSONSchema, type ZodType } from "zod";
import { describeValue, InvalidOptionsError, ValidationError } from "../errors.js";

/**
 * A node's parameters: ordered named schemas (`[["query", z.string()], ["limit", z.number()]]`), or
 * one object schema for a node that takes a single object argument.
 */
export type ParamsOption = ReadonlyArray<readonly [string, ZodType]> | ZodType;

/** JSON Schema of a node's parameters, as function-calling APIs expect it. */
export interface JsonSchemaObject {
  type: "object";
  properties: Record<string, unknown>;
  required?: string[];
  additionalProperties?: boolean;
  [key: string]: unknown;
}

interface SafeParseResult {
  success: boolean;
  data?: unknown;
  error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
}

function isSchema(value: unknown): value is ZodType {
  return typeof (value as { safeParse?: unknown } | null)?.safeParse === "function";
}

function explain(result: SafeParseResult, value: unknown): string {
  const issues = result.error?.issues ?? [];
  const text = issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ` : "") + issue.message)
    .join("; ");
  return `${text || "does not match the schema"} (got ${describeValue(value)})`;
}

/**
 * zod writes the safe-integer range as bounds of every `.int()` (`minimum: -9007199254740991`).
 * They say nothing a model can use and only cost tokens, so they are left out; a bound the user
 * set (`.min(0)`) stays.
 */
function dropSafeIntegerBounds(schema: Record<string, unknown>): void {
  if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
  if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
}

/**
 * The JSON Schema of a zod schema as a model is shown it: no `$schema`, no safe-integer bounds.
 * `io: "input"` describes what a node accepts (tool arguments), `"output"` what it produces.
 */
export function jsonSchemaOf(schema: ZodType, io: "input" | "output" = "input"): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    override: (ctx) => dropSafeIntegerBounds(ctx.jsonSchema as Record<string, unknown>),
  }) as Record<string, unknown>;
  return rest;
}

/** Compiled `params`: validates arguments and describes them as JSON Schema. */
export class Params {
  readonly #named: ReadonlyArray<readonly [string, ZodType]> | undefined;
  readonly #single: ZodType | undefined;
  readonly #keep: boolean;

  /**
   * `keep`: check the arguments but pass them on as given (schemas derived from declared types
   * describe what is accepted; they must not turn a class instance into a plain object).
   */
  constructor(where: string, option: ParamsOption, keep = false) {
    this.#keep = keep;
    if (Array.isArray(option)) {
      option.forEach((entry, index) => {
        if (!Array.isArray(entry) || typeof entry[0] !== "string" || !isSchema(entry[1])) {
          throw new InvalidOptionsError(
            `${where}: expected \`params[${index}]\` to be a [name, zodSchema] pair such as ["query", z.string()], got ${describeValue(entry)}.`,
          );
        }
      });
      this.#named = option as ReadonlyArray<readonly [string, ZodType]>;
    } else if (isSchema(option)) {
      this.#single = option;
    } else {
      throw new InvalidOptionsError(
        `${where}: expected \`params\` to be a list of [name, schema] pairs or one zod object schema, got ${describeValue(option)}.`,
      );
    }
  }

  /** The names of named parameters, in order; `undefined` for a node that takes one object. */
  get namedParameters(): string[] | undefined {
    return this.#named?.map(([name]) => name);
  }

  /** Parsed arguments (zod defaults and transforms applied), or throws `ValidationError`. */
  validate(node: string, args: readonly unknown[]): unknown[] {
    if (this.#single) {
      const result = this.#single.safeParse(args[0]) as SafeParseResult;
      if (!result.success)
        throw new ValidationError(node, "input", explain(result, args[0]), result.error?.issues ?? []);
      return [result.data, ...args.slice(1)];
    }
    const named = this.#named!;
    if (args.length > named.length) {
      throw new ValidationError(
        node,
        named[named.length - 1]?.[0] ?? "arguments",
        `takes ${named.length} argument(s) (${named.map(([n]) => n).join(", ")}), got ${args.length}`,
        [],
      );
    }
    const parsed = new Array<unknown>(named.length);
    for (let i = 0; i < named.length; i++) {
      const [name, schema] = named[i]!;
      const result = schema.safeParse(args[i]) as SafeParseResult;
      if (!result.success)
        throw new ValidationError(node, name, explain(result, args[i]), result.error?.issues ?? []);
      parsed[i] = result.data;
    }
    if (this.#keep) return args as unknown[];
    // Keep trailing optional parameters absent rather than explicitly undefined.
    let length = parsed.length;
    while (length > args.length && parsed[length - 1] === undefined) length--;
    parsed.length = length;
    return parsed;
  }

  /** The JSON Schema of the parameters (an object schema keyed by parameter name). */
  jsonSchema(): JsonSchemaObject {
    if (this.#single) {
      const schema = jsonSchemaOf(this.#single);
      return schema.type === "object"
        ? (schema as JsonSchemaObject)
        : { type: "object", properties: { input: schema }, required: ["input"], additionalProperties: false };
    }
    const properties: Record<string, unknown> = {};
    const required: string[] = [];
    for (const [name, schema] of this.#named!) {
      properties[name] = jsonSchemaOf(schema);
      if (!schema.safeParse(undefined).success) required.push(name);
    }
    return { type: "object", properties, required, additionalProperties: false };
  }
}

/** Compiled `returns`: validates a node's result. */
export function validateReturn(node: string, schema: ZodType, value: unknown): unknown {
  const result = schema.safeParse(value) as SafeParseResult;
  if (!result.success) {
    throw new ValidationError(node, "return value", explain(result, value), result.error?.issues ?? []);
  }
  return result.data;
}

export function checkReturnsOption(where: string, option: unknown): ZodType | undefined {
  if (option === undefined) return undefined;
  if (!isSchema(option)) {
    throw new InvalidOptionsError(
      `${where}: expected \`returns\` to be a zod schema, got ${describeValue(option)}.`,
    );
  }
  return option;
}
