import type { Node } from "./node.js";

/**
 * Every node registers itself by name when it is defined (a decorated method when its class is
 * first instantiated). Flows built from JSON find their steps here. A later node with the same
 * name replaces the earlier one.
 */
export interface Registry {
  /** The node registered under this name. */
  get(name: string): Node | undefined;
  has(name: string): boolean;
  /** All registered nodes, in definition order. */
  list(): Node[];
}

const nodes = new Map<string, Node>();

export function register(node: Node): void {
  nodes.delete(node.name);
  nodes.set(node.name, node);
}

/** The node registry. */
export const registry: Registry = {
  get: (name) => nodes.get(name),
  has: (name) => nodes.has(name),
  list: () => [...nodes.values()],
};
