import { type ZodType, z } from "zod";

/**
 * zod schemas that describe themselves with a JSON Schema someone else wrote: zod's `toJSONSchema`
 * uses a schema's `_zod.toJSONSchema` method, when it has one, instead of working one out, so the
 * JSON Schema comes out exactly as it went in (runtrace's `toolSchema()` and the MCP SDK's
 * `tools/list` both write JSON Schema with zod).
 */
function describedBy<T extends ZodType>(schema: T, json: Record<string, unknown>): T {
  // zod takes a top-level `id` for the name of a definition and moves the whole schema under
  // `$defs`; it only names the schema (JSON Schema draft 4), so it is left out.
  const { id: _id, ...copy } = structuredClone(json);
  // A fresh copy each time: zod adds `$schema` and `$defs` to what it is given.
  schema._zod.toJSONSchema = () => structuredClone(copy);
  return schema;
}

function isArguments(value: unknown): boolean {
  return value === undefined || (typeof value === "object" && value !== null && !Array.isArray(value));
}

/**
 * `params` for a node whose one argument is described by a JSON Schema it did not write (an MCP
 * tool's `inputSchema`): the node's tool schema is that JSON Schema as it is, so an agent shows the
 * model the tool's real parameters, and validation only checks that the argument is an object (or
 * absent); the server that owns the schema checks the rest.
 */
export function jsonSchemaParams(schema: Record<string, unknown>): ZodType {
  return describedBy(
    z.custom<Record<string, unknown> | undefined>(isArguments, "expected an object of arguments"),
    schema,
  );
}

/**
 * An object schema that the MCP SDK lists as `schema` and that lets any object through unchanged:
 * the node checks its arguments itself (once, so a `.transform` in its `params` runs once).
 */
export function listedAs(schema: Record<string, unknown>): z.ZodObject {
  return describedBy(z.looseObject({}), schema);
}
