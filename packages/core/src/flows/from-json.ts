import { describeValue, FlowDefinitionError, InvalidOptionsError } from "../errors.js";
import { registry } from "../nodes/node-registry.js";
import { checkOptionKeys } from "../option-keys.js";
import { createFlow } from "./create.js";
import { buildGraph, checkFlowName } from "./definition.js";
import type { Flow, StepArgs } from "./types.js";

/** Options of `rt.flowFromJSON`. */
export interface FlowFromJSONOptions {
  /** `args` functions by step name: required for every step the spec marks `args: true`. */
  args?: Readonly<Record<string, StepArgs>>;
}

function fail(flow: string, message: string, steps: string[] = []): never {
  throw new FlowDefinitionError(flow, `rt.flowFromJSON: ${message}`, steps);
}

function parse(spec: unknown): Record<string, unknown> {
  let value = spec;
  if (typeof spec === "string") {
    try {
      value = JSON.parse(spec);
    } catch (error) {
      fail(
        "?",
        `the spec is a string but not JSON (${(error as Error).message}). Pass flow.toJSON() or its JSON text.`,
      );
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail("?", `expected a flow spec (what flow.toJSON() returns), got ${describeValue(spec)}.`);
  }
  const json = value as Record<string, unknown>;
  if (json.format !== "runtrace.flow" || json.version !== 1) {
    fail(
      String(json.name ?? "?"),
      `expected a spec with format "runtrace.flow" and version 1, got format ${describeValue(json.format)} and version ${describeValue(json.version)}. Make it with flow.toJSON() from this version of runtrace.`,
    );
  }
  return json;
}

/**
 * Builds a flow from its JSON form (`flow.toJSON()`, or written by hand). Each step names a node
 * registered in `rt.registry`; define those nodes before loading. Steps marked `args: true` had an
 * `args` function, which JSON cannot hold: give it back in `options.args`.
 *
 * @example
 * ```ts
 * const spec = JSON.stringify(pipeline.toJSON());
 * // later, once the same nodes are defined:
 * const again = rt.flowFromJSON(spec, { args: { report: ({ results }) => [results.stats] } });
 * await again(input);
 * ```
 */
export function flowFromJSON(spec: unknown, options: FlowFromJSONOptions = {}): Flow {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `rt.flowFromJSON expected options { args? }, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys(
    "rt.flowFromJSON",
    options,
    Object.keys({ args: true } satisfies Record<keyof FlowFromJSONOptions, true>),
  );
  const json = parse(spec);
  const name = checkFlowName(json.name, "rt.flowFromJSON");
  if (!Array.isArray(json.steps))
    fail(name, `expected \`steps\` to be an array, got ${describeValue(json.steps)}.`);
  const args = options.args ?? {};
  const known = new Set<string>();
  const entries = (json.steps as unknown[]).map((raw, i): [unknown, unknown] => {
    const step = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof step.name !== "string" || typeof step.node !== "string") {
      fail(
        name,
        `steps[${i}] of flow "${name}" should be { name, node, after?, exclude? } with string name and node, got ${describeValue(raw)}.`,
      );
    }
    const stepName = step.name as string;
    known.add(stepName);
    const node = registry.get(step.node as string);
    if (node === undefined) {
      const registered = registry.list().map((n) => n.name);
      fail(
        name,
        `step "${stepName}" of flow "${name}" uses node "${step.node}", which is not registered (${registered.length === 0 ? "no nodes are registered" : `registered: ${registered.slice(0, 12).join(", ")}${registered.length > 12 ? ", …" : ""}`}). Define it first, e.g. rt.functionNode(fn, { name: "${step.node}" }), then load the flow.`,
        [stepName],
      );
    }
    const mapped = Object.hasOwn(args, stepName) ? args[stepName] : undefined;
    if (step.args === true && mapped === undefined) {
      fail(
        name,
        `step "${stepName}" of flow "${name}" had an \`args\` function, which JSON cannot hold. Pass it back: rt.flowFromJSON(spec, { args: { ${JSON.stringify(stepName)}: ({ input, results }) => [...] } }).`,
        [stepName],
      );
    }
    return [stepName, { node, after: step.after, exclude: step.exclude, args: mapped }];
  });
  for (const step of Object.keys(args)) {
    if (!known.has(step))
      fail(name, `options.args names "${step}", which is not a step of flow "${name}".`, [step]);
  }
  const stepOptions = (json.options ?? {}) as Record<string, unknown>;
  const flowOptions =
    json.description === undefined ? stepOptions : { ...stepOptions, description: json.description };
  return createFlow(buildGraph(name, entries, flowOptions));
}
