import type { NodeDef } from "./options.js";

/** Where a node keeps its definition. `Symbol.for`, so two copies of the package agree. */
export const NODE = Symbol.for("runtrace.node");

/** A node's definition and, for a method bound to an instance, that instance. */
export interface NodeHandle {
  readonly def: NodeDef;
  readonly self: unknown;
}

/** The handle of a node, or `undefined` for anything else. */
export function nodeHandle(value: unknown): NodeHandle | undefined {
  return typeof value === "function" ? (value as { [NODE]?: NodeHandle })[NODE] : undefined;
}
