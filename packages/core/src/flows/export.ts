import { describeValue, InvalidOptionsError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";
import type { FlowGraph } from "./definition.js";
import type { FlowJSON, MermaidOptions } from "./types.js";

/**
 * A flow as plain JSON. Nodes are written by their registered name, so `rt.flowFromJSON` finds them
 * again in `rt.registry`. An `args` function cannot be written as JSON: its step gets `args: true`,
 * and loading the spec asks for the function back (`rt.flowFromJSON(spec, { args: { step: fn } })`)
 * instead of silently passing different arguments.
 */
export function flowToJSON(graph: FlowGraph): FlowJSON {
  const { parallel, onError, concurrency, returns, timeoutMs, description } = graph.options;
  const json: FlowJSON = {
    format: "runtrace.flow",
    version: 1,
    name: graph.name,
    steps: graph.steps.map((step) => ({
      name: step.name,
      node: step.node.name,
      after: [...step.after],
      exclude: step.exclude,
      ...(step.args === undefined ? {} : { args: true as const }),
    })),
    options: { parallel, onError },
  };
  if (description !== undefined) json.description = description;
  if (concurrency !== undefined) json.options.concurrency = concurrency;
  if (returns !== undefined) json.options.returns = returns;
  if (timeoutMs !== undefined) json.options.timeoutMs = timeoutMs;
  return json;
}

// Mermaid reads `#name;` and `#123;` as entity codes inside a quoted label: write every character
// that could end the label, start an entity, or be read as HTML or markdown that way.
const ESCAPES: Record<string, string> = {
  '"': "#quot;",
  "#": "#35;",
  "&": "#amp;",
  "<": "#lt;",
  ">": "#gt;",
  "`": "#96;",
};

/** A text made safe inside a quoted Mermaid label (`id["..."]`). */
export function mermaidLabel(text: string): string {
  return text.replace(/[\r\n\t]+/g, " ").replace(/["#&<>`]/g, (c) => ESCAPES[c]!);
}

/**
 * A Mermaid `flowchart`: step `i` is the Mermaid node `s<i>` (ids stay valid whatever the step is
 * called), labelled with the step's name and, when different, its node's name. One edge per
 * dependency; excluded steps are dashed and labelled `(excluded)`.
 */
export function flowToMermaid(graph: FlowGraph, options: MermaidOptions = {}): string {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `Flow "${graph.name}": toMermaid expected options { direction? }, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys(
    `Flow "${graph.name}": toMermaid`,
    options,
    Object.keys({ direction: true } satisfies Record<keyof MermaidOptions, true>),
  );
  const direction = options.direction ?? "TD";
  if (direction !== "TD" && direction !== "LR") {
    throw new InvalidOptionsError(
      `Flow "${graph.name}": toMermaid expected \`direction\` to be "TD" or "LR", got ${describeValue(direction)}.`,
    );
  }
  const lines = [`flowchart ${direction}`];
  graph.steps.forEach((step, i) => {
    let label = mermaidLabel(step.name);
    if (step.node.name !== step.name) label += `<br/>(${mermaidLabel(step.node.name)})`;
    if (step.exclude) label += " (excluded)";
    lines.push(`  s${i}["${label}"]${step.exclude ? ":::excluded" : ""}`);
  });
  graph.deps.forEach((deps, i) => {
    for (const d of deps) lines.push(`  s${d} --> s${i}`);
  });
  if (graph.steps.some((step) => step.exclude)) {
    lines.push("  classDef excluded stroke-dasharray: 5 5,opacity:0.6");
  }
  return lines.join("\n");
}
