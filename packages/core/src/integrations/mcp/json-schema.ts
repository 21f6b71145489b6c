import { type ZodType, z } from "zod";

/**
 * zod schemas that carry a JSON Schema someone else wrote, as metadata: zod's `toJSONSchema` merges
 * metadata into what it writes, so the JSON Schema comes out as it went in.
 */

function shown(schema: Record<string, unknown>): Record<string, unknown> {
  // zod reads an `id` in metadata as the name of a definition and moves the schema under `$defs`.
  const { id: _id, ...rest } = structuredClone(schema);
  return rest;
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
  return z
    .custom<Record<string, unknown> | undefined>(isArguments, "expected an object of arguments")
    .meta(shown(schema));
}

/**
 * An object schema that the MCP SDK lists as `schema` and that lets any object through unchanged:
 * the node checks its arguments itself (once, so a `.transform` in its `params` runs once).
 */
export function listedAs(schema: Record<string, unknown>): z.ZodObject {
  return z.looseObject({}).meta(shown(schema));
}
