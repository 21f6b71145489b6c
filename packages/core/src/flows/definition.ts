import { describeValue, FlowDefinitionError, unboundMethodFix } from "../errors.js";
import { nodeHandle } from "../nodes/def.js";
import { unknownOptionMessage } from "../option-keys.js";
import { dependentsOf, findCycle, topologicalOrder } from "./graph.js";
import { resolveFlowOptions } from "./options.js";
import type { AnyNode, FlowStepInfo, ResolvedFlowOptions, StepArgs } from "./types.js";

/** A flow checked once at definition: its steps, their dependencies as indices, its options. */
export interface FlowGraph {
  readonly name: string;
  readonly steps: readonly FlowStepInfo[];
  readonly index: ReadonlyMap<string, number>;
  /** `deps[i]`: indices of the steps step `i` waits for, in the order of its `after`. */
  readonly deps: readonly (readonly number[])[];
  /** `dependents[i]`: indices of the steps that wait for step `i`, in definition order. */
  readonly dependents: readonly (readonly number[])[];
  /** The order `parallel: false` runs the steps in (ready steps in definition order). */
  readonly order: readonly number[];
  readonly options: ResolvedFlowOptions;
  /** The `flow.graph` attribute every run records: `{ steps: [{ name, node, exclude }], edges }`. */
  readonly attribute: Readonly<Record<string, unknown>>;
}

const STEP_KEYS = ["node", "after", "args", "exclude"];
const STEP_FORM = "a node (rt.functionNode(fn), rt.flow(...)) or { node, after?, args?, exclude? }";

/** Checks the flow's name; a `FlowDefinitionError` names what was received. */
export function checkFlowName(name: unknown, where = "rt.flow"): string {
  if (typeof name !== "string" || name === "") {
    throw new FlowDefinitionError(
      String(name),
      `${where} expected a name (a non-empty string) as its first argument, got ${describeValue(name)}. Example: rt.flow("report", { ... }).`,
    );
  }
  return name;
}

function notANode(flow: string, step: string, value: unknown): FlowDefinitionError {
  const fix =
    unboundMethodFix(value, (ref) => `${step}: ${ref}`) ??
    (typeof value === "function"
      ? `Wrap the function first: rt.functionNode(${value.name || "fn"}, { name: "${step}" }).`
      : `Give ${STEP_FORM}.`);
  return new FlowDefinitionError(
    flow,
    `Flow "${flow}": step "${step}" is not a node, got ${describeValue(value)}. Expected ${STEP_FORM}. ${fix}`,
    [step],
  );
}

function checkAfter(flow: string, step: string, after: unknown): string[] {
  if (after === undefined) return [];
  if (!Array.isArray(after) || after.some((d) => typeof d !== "string")) {
    const example = typeof after === "string" ? `after: ["${after}"]` : `after: ["otherStep"]`;
    throw new FlowDefinitionError(
      flow,
      `Flow "${flow}": step "${step}" has \`after\` ${describeValue(after)}; expected an array of step names. Write ${example}.`,
      [step],
    );
  }
  const seen = new Set<string>();
  for (const dep of after as string[]) {
    if (seen.has(dep)) {
      throw new FlowDefinitionError(
        flow,
        `Flow "${flow}": step "${step}" lists "${dep}" twice in \`after\`; expected each dependency once. Remove the repeat.`,
        [step, dep],
      );
    }
    seen.add(dep);
  }
  return [...(after as string[])];
}

/** Checks one step and gives it its full form. */
function checkStep(flow: string, name: unknown, value: unknown): FlowStepInfo {
  if (typeof name !== "string" || name === "") {
    throw new FlowDefinitionError(
      flow,
      `Flow "${flow}": expected every step name to be a non-empty string, got ${describeValue(name)}.`,
    );
  }
  if (nodeHandle(value) !== undefined) {
    return Object.freeze({ name, node: value as AnyNode, after: [], args: undefined, exclude: false });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw notANode(flow, name, value);
  const spec = value as Record<string, unknown>;
  const unknown = Object.keys(spec).find((key) => !STEP_KEYS.includes(key));
  if (unknown !== undefined) {
    // A step is part of the graph, so this is a definition error, worded like every unknown option.
    throw new FlowDefinitionError(
      flow,
      `${unknownOptionMessage(`Flow "${flow}": step "${name}"`, unknown, STEP_KEYS)} (Dependencies go in \`after\`.)`,
      [name],
    );
  }
  if (nodeHandle(spec.node) === undefined) throw notANode(flow, name, spec.node);
  if (spec.args !== undefined && typeof spec.args !== "function") {
    throw new FlowDefinitionError(
      flow,
      `Flow "${flow}": step "${name}" has \`args\` ${describeValue(spec.args)}; expected a function ({ input, results }) => [...arguments].`,
      [name],
    );
  }
  if (spec.exclude !== undefined && typeof spec.exclude !== "boolean") {
    throw new FlowDefinitionError(
      flow,
      `Flow "${flow}": step "${name}" has \`exclude\` ${describeValue(spec.exclude)}; expected true or false.`,
      [name],
    );
  }
  return Object.freeze({
    name,
    node: spec.node as AnyNode,
    after: Object.freeze(checkAfter(flow, name, spec.after)),
    args: spec.args as StepArgs | undefined,
    exclude: spec.exclude === true,
  });
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 12).join(", ");
  return names.length > 12 ? `${shown}, … (${names.length} in all)` : shown;
}

/**
 * Checks a flow's steps (given as `[name, step]` entries, in definition order) and options, and
 * builds its graph. Throws `FlowDefinitionError` for a bad graph, `InvalidOptionsError` for bad options.
 */
export function buildGraph(
  name: string,
  entries: ReadonlyArray<readonly [unknown, unknown]>,
  options: unknown,
): FlowGraph {
  if (entries.length === 0) {
    throw new FlowDefinitionError(
      name,
      `Flow "${name}" has no steps; expected at least one. Example: rt.flow("${name}", { first: someNode }).`,
    );
  }
  const steps = entries.map(([stepName, value]) => checkStep(name, stepName, value));
  const index = new Map<string, number>();
  for (const [i, step] of steps.entries()) {
    if (index.has(step.name)) {
      throw new FlowDefinitionError(
        name,
        `Flow "${name}" defines step "${step.name}" twice (steps ${index.get(step.name)! + 1} and ${i + 1}); expected unique step names. Rename one of them.`,
        [step.name],
      );
    }
    index.set(step.name, i);
  }
  const deps = steps.map((step) =>
    step.after.map((dep) => {
      const at = index.get(dep);
      if (at === undefined) {
        throw new FlowDefinitionError(
          name,
          `Flow "${name}": step "${step.name}" runs after "${dep}", which is not a step of this flow (steps: ${list([...index.keys()])}). Fix the name in the \`after\` of "${step.name}", or add a step "${dep}".`,
          [step.name, dep],
        );
      }
      return at;
    }),
  );
  const cycle = findCycle(deps);
  if (cycle !== undefined) {
    const path = cycle.map((i) => steps[i]!.name);
    throw new FlowDefinitionError(
      name,
      `Flow "${name}": its steps form a cycle: ${path.join(" → ")}. A flow must be acyclic (each arrow reads "runs before"); remove one of these dependencies from an \`after\`.`,
      path,
    );
  }
  return Object.freeze({
    name,
    steps: Object.freeze(steps),
    index,
    deps,
    dependents: dependentsOf(deps),
    order: topologicalOrder(deps),
    options: resolveFlowOptions(name, options, index),
    attribute: {
      steps: steps.map((s) => ({ name: s.name, node: s.node.name, exclude: s.exclude })),
      edges: steps.flatMap((s) => s.after.map((from) => [from, s.name])),
    },
  });
}

/** The `[name, step]` entries of a steps object, in definition order. */
export function stepEntries(flow: string, steps: unknown): Array<[string, unknown]> {
  if (
    typeof steps !== "object" ||
    steps === null ||
    Array.isArray(steps) ||
    nodeHandle(steps) !== undefined
  ) {
    throw new FlowDefinitionError(
      flow,
      `Flow "${flow}": expected the steps as an object { stepName: node | { node, after?, args?, exclude? } }, got ${describeValue(steps)}.`,
    );
  }
  return Object.entries(steps);
}
