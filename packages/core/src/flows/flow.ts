import { createFlow } from "./create.js";
import { buildGraph, checkFlowName, stepEntries } from "./definition.js";
import { type FlowPaths, type FlowTask, pathsGraph } from "./from-paths.js";
import type { Flow, FlowInput, FlowOptions, FlowResult, InputSteps, StepsShape } from "./types.js";

/**
 * Defines a flow: named steps run as a dependency graph, each starting the moment the steps it
 * runs `after` have finished. The flow is a node of kind `"flow"`: call it, `rt.call` it, nest it
 * as a step of another flow.
 *
 * Arguments: a root step gets the flow's arguments; a step with one dependency gets that step's
 * output; a step with several gets `{ [step]: output }`; `args` maps them explicitly. The flow
 * resolves with `{ [step]: output }` (without `exclude`d steps), or the `returns` step's output.
 * In TypeScript the flow's input is the first parameter of its root steps' nodes, and `input` in
 * `args` has that type.
 *
 * Each run records on the flow's call the attributes `flow.graph` (`{ steps: [{ name, node,
 * exclude }], edges: [[from, to]] }`, set when the run starts), and, when it ends,
 * `flow.makespanMs` (first step start to last step end), `flow.sumMs` (sum of step durations),
 * `flow.criticalPath` (step names of the longest chain by actual durations), `flow.criticalPathMs`
 * and `flow.speedup` (`sumMs / makespanMs`).
 *
 * Throws `FlowDefinitionError` for a cycle (its path in the message), an unknown dependency, a step
 * that is not a node; `InvalidOptionsError` for bad options.
 *
 * @example
 * ```ts
 * const pipeline = rt.flow("report", {
 *   ingest: ingestNode,
 *   stats: { node: statsNode, after: ["ingest"] },
 *   patterns: { node: patternsNode, after: ["ingest"] },
 *   report: { node: reportNode, after: ["stats", "patterns"] }, // gets { stats, patterns }
 * }, { returns: "report" });
 * const report = await pipeline(rawData);
 * ```
 */
function defineFlow<
  const S extends StepsShape,
  const R extends (keyof S & string) | undefined = undefined,
  I = unknown,
>(name: string, steps: S & InputSteps<I>, options?: FlowOptions<R>): Flow<FlowResult<S, R>, FlowInput<S>> {
  const flowName = checkFlowName(name);
  return createFlow(buildGraph(flowName, stepEntries(flowName, steps), options));
}

/**
 * Defines a flow from tasks and the paths between them (the intelli `map_paths` form): `paths`
 * maps each producer to the tasks that consume its output. A task is a node, or `{ node, exclude }`.
 * Arguments and results follow `rt.flow`.
 *
 * @example
 * ```ts
 * const content = rt.flow.fromPaths("content", {
 *   spec: writeSpec, design: designSite, logo: { node: drawLogo, exclude: true }, code: writeCode,
 * }, { spec: ["design", "code"], design: ["logo", "code"] });
 * const { spec, design, code } = await content("an environmental blog");
 * ```
 */
function fromPaths<
  const T extends Readonly<Record<string, FlowTask>>,
  const R extends (keyof T & string) | undefined = undefined,
>(name: string, tasks: T, paths: FlowPaths, options?: FlowOptions<R>): Flow<FlowResult<T, R>> {
  return createFlow(pathsGraph(name, tasks, paths, options));
}

/** `rt.flow(name, steps, options)`, with `rt.flow.fromPaths(name, tasks, paths, options)`. */
export const flow: typeof defineFlow & { fromPaths: typeof fromPaths } = Object.assign(defineFlow, {
  fromPaths,
});
