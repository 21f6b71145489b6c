import { type ZodType, z } from "zod";
import { describeValue, InvalidOptionsError } from "../errors.js";
import { fieldsOf, reflectMetadata } from "./fields.js";
import { sourceParameters } from "./param-names.js";
import type { ParamsOption } from "./schema.js";

function isSchema(value: unknown): value is ZodType {
  return typeof (value as { safeParse?: unknown } | null)?.safeParse === "function";
}

/**
 * The schema of a type as `emitDecoratorMetadata` records it: `String`, `Number`, `Boolean`,
 * `Array`, or a class. A class gives its static zod `schema` when it has one, else an object of
 * its `@rt.field` properties; anything else (`Object` for unions, interfaces and type aliases, a
 * class with nothing described) accepts any value.
 */
export function schemaOfType(type: unknown, seen: ReadonlySet<unknown> = new Set()): ZodType {
  if (type === String) return z.string();
  if (type === Number) return z.number();
  if (type === Boolean) return z.boolean();
  if (type === Array) return z.array(z.unknown());
  if (typeof type !== "function" || type === Object || seen.has(type)) return z.unknown();
  const own = (type as { schema?: unknown }).schema;
  if (isSchema(own)) return own;
  const fields = fieldsOf(type);
  if (fields.length === 0) return z.unknown();
  const inner = new Set(seen).add(type);
  const shape: Record<string, ZodType> = {};
  for (const field of fields) {
    let schema = field.schema ?? schemaOfType(field.type, inner);
    if (field.description !== undefined) schema = schema.describe(field.description);
    shape[field.key] = field.optional ? schema.optional() : schema;
  }
  return z.looseObject(shape);
}

/**
 * A decorated method's parameters described by their declared types (`design:paramtypes`, written
 * by TypeScript under `experimentalDecorators` + `emitDecoratorMetadata` and read through
 * reflect-metadata), named from the method's source or from `paramNames`. `undefined` when no
 * types were recorded (TC39 decorators, esbuild, reflect-metadata not loaded).
 */
export function paramsFromTypes(
  where: string,
  target: object,
  key: string | symbol,
  method: (...args: never[]) => unknown,
  paramNames: readonly string[] | undefined,
): ParamsOption | undefined {
  const types = reflectMetadata("design:paramtypes", target, key);
  if (!Array.isArray(types)) return undefined;
  const fromSource = sourceParameters(method);
  if (paramNames !== undefined && paramNames.length !== types.length) {
    throw new InvalidOptionsError(
      `${where}: \`paramNames\` names ${paramNames.length} parameter(s) but the method declares ${types.length}. Give one name per parameter, in order.`,
    );
  }
  return types.map((type, index) => {
    const name = paramNames?.[index] ?? fromSource[index]?.name ?? `arg${index}`;
    const schema = schemaOfType(type);
    return [name, fromSource[index]?.optional ? schema.optional() : schema] as const;
  });
}

/** Checks the `paramNames` option: a list of non-empty strings. */
export function checkParamNames(where: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((name) => typeof name !== "string" || name.length === 0)) {
    throw new InvalidOptionsError(
      `${where}: expected \`paramNames\` to be a list of parameter names such as ["query", "limit"], got ${describeValue(value)}.`,
    );
  }
  return value;
}
