import { asNode, type Node } from "../nodes/node.js";
import type { NodeDef } from "../nodes/options.js";
import { call } from "./call.js";

/**
 * Makes the callable node of a definition, bound to `self` for methods: calling it is exactly
 * `rt.call(node, ...args)`.
 *
 * It is made here, in the runtime, because calling a node runs it, and definitions (nodes/) sit
 * below the runtime and never import it. The other way round, nodes/ holding a slot that the
 * runtime fills when it loads, would break under bundlers that trust this package's
 * `"sideEffects": false`: an application importing only `functionNode` would get nodes whose
 * runtime was never loaded.
 */
export function makeNode<A extends unknown[], R>(def: NodeDef, self: unknown): Node<A, R> {
  const node: Node<A, R> = asNode(
    function runtraceNode(...args: A): Promise<Awaited<R>> {
      return call(node, ...args) as Promise<Awaited<R>>;
    },
    def,
    self,
  );
  return node;
}
