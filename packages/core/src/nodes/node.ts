import type { NodeKind } from "../recording/types.js";
import { NODE, type NodeHandle } from "./def.js";
import type { NodeDef, NodeOptions } from "./options.js";
import type { JsonSchemaObject } from "./schema.js";

/** A node described for function calling (OpenAI-style `tools[].function`). */
export interface ToolSchema {
  /** The node's name with every character outside `[A-Za-z0-9_-]` replaced by `_`. */
  name: string;
  description: string;
  /** JSON Schema of the arguments, an object keyed by parameter name. */
  parameters: JsonSchemaObject;
}

/**
 * A traced function. Calling it is exactly `rt.call(node, ...args)` and always returns a promise.
 */
export interface Node<A extends unknown[] = any[], R = unknown> {
  (...args: A): Promise<Awaited<R>>;
  readonly name: string;
  readonly kind: NodeKind;
  readonly description: string | undefined;
  readonly options: Readonly<NodeOptions>;
  /** `{ name, description, parameters }` for function-calling APIs (parameters from `params`). */
  toolSchema(): ToolSchema;
}

function toolSchema(this: Node): ToolSchema {
  const def = (this as unknown as { [NODE]: NodeHandle })[NODE].def;
  return {
    name: def.name.replace(/[^A-Za-z0-9_-]/g, "_"),
    description: def.description ?? "",
    parameters: def.params?.jsonSchema() ?? { type: "object", properties: {}, additionalProperties: false },
  };
}

/**
 * Gives `fn` the face of a node of `def`: its name, kind, description, options, tool schema, and
 * the handle `rt.call` reads. What calling it does is up to the runtime, which makes the function
 * (runtime/make-node.ts).
 */
export function asNode<A extends unknown[], R>(
  fn: (...args: A) => Promise<Awaited<R>>,
  def: NodeDef,
  self: unknown,
): Node<A, R> {
  const node = fn as Node<A, R>;
  const handle: NodeHandle = { def, self };
  Object.defineProperties(node, {
    name: { value: def.name, configurable: true },
    kind: { value: def.kind, enumerable: true },
    description: { value: def.description, enumerable: true },
    options: { value: def.options, enumerable: true },
    toolSchema: { value: toolSchema },
    [NODE]: { value: handle },
  });
  return node;
}
