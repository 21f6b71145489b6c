import { register } from "../nodes/node-registry.js";
import { defineNode } from "../nodes/options.js";
import { makeNode } from "../runtime/make-node.js";
import type { FlowGraph } from "./definition.js";
import { flowToJSON, flowToMermaid } from "./export.js";
import { levelsOf } from "./graph.js";
import { runFlow } from "./scheduler.js";
import type { Flow, FlowJSON, MermaidOptions } from "./types.js";

/**
 * Makes the node of a checked flow: a real node of kind `"flow"` (registered by name, callable,
 * `rt.call`-able) whose function runs the steps, with the flow's own methods on it.
 */
export function createFlow<R>(graph: FlowGraph): Flow<R> {
  const { description, timeoutMs } = graph.options;
  const run = (...args: unknown[]) => runFlow(graph, args);
  const def = defineNode(run, graph.name, {
    kind: "flow",
    ...(description === undefined ? {} : { description }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const node = makeNode(def, undefined);
  const names = graph.steps.map((step) => step.name);
  Object.defineProperties(node, {
    steps: { value: graph.steps, enumerable: true },
    flowOptions: { value: graph.options, enumerable: true },
    edges: {
      value: (): Array<[string, string]> =>
        graph.steps.flatMap((step) => step.after.map((from): [string, string] => [from, step.name])),
    },
    levels: { value: (): string[][] => levelsOf(graph.deps).map((level) => level.map((i) => names[i]!)) },
    toJSON: { value: (): FlowJSON => flowToJSON(graph) },
    toMermaid: { value: (options?: MermaidOptions): string => flowToMermaid(graph, options) },
  });
  register(node);
  return node as unknown as Flow<R>;
}
