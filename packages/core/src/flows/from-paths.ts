import { describeValue, FlowDefinitionError } from "../errors.js";
import { nodeHandle } from "../nodes/def.js";
import { unknownOptionMessage } from "../option-keys.js";
import { buildGraph, checkFlowName } from "./definition.js";
import type { AnyNode } from "./types.js";

/** A task of `rt.flow.fromPaths`: a node, or a node whose output is left out of the result. */
export type FlowTask = AnyNode | { node: AnyNode; exclude?: boolean };

/**
 * Who feeds whom: `{ producer: [consumers] }`; a consumer runs after every producer that lists it.
 * Names are checked when the flow is defined (plain strings, so paths kept in a variable type-check).
 */
export type FlowPaths = Readonly<Record<string, readonly string[]>>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && nodeHandle(value) === undefined
  );
}

/**
 * Turns tasks and paths into the `[name, step]` entries of an `rt.flow`: each task becomes a step
 * (in the order of `tasks`) that runs after the producers listing it (in the order of `paths`).
 */
export function pathEntries(flow: string, tasks: unknown, paths: unknown): Array<[string, unknown]> {
  if (!isPlainObject(tasks)) {
    throw new FlowDefinitionError(
      flow,
      `rt.flow.fromPaths("${flow}"): expected tasks as an object { name: node | { node, exclude? } }, got ${describeValue(tasks)}.`,
    );
  }
  if (!isPlainObject(paths)) {
    throw new FlowDefinitionError(
      flow,
      `rt.flow.fromPaths("${flow}"): expected paths as an object { producer: [consumers] }, got ${describeValue(paths)}.`,
    );
  }
  const names = Object.keys(tasks);
  const unknown = (role: string, name: string, where: string) =>
    new FlowDefinitionError(
      flow,
      `rt.flow.fromPaths("${flow}"): ${role} "${name}" ${where} is not a task (tasks: ${names.join(", ")}). Add it to tasks or fix the name in paths.`,
      [name],
    );
  const after = new Map<string, string[]>(names.map((name) => [name, []]));
  for (const [producer, consumers] of Object.entries(paths)) {
    if (!after.has(producer)) throw unknown("producer", producer, "in paths");
    if (!Array.isArray(consumers) || consumers.some((c) => typeof c !== "string")) {
      throw new FlowDefinitionError(
        flow,
        `rt.flow.fromPaths("${flow}"): expected paths["${producer}"] to be an array of task names, got ${describeValue(consumers)}. Write { ${producer}: ["nextTask"] } (or [] for none).`,
        [producer],
      );
    }
    for (const consumer of consumers as string[]) {
      const list = after.get(consumer);
      if (list === undefined) throw unknown("consumer", consumer, `(listed by "${producer}")`);
      if (list.includes(producer)) {
        throw new FlowDefinitionError(
          flow,
          `rt.flow.fromPaths("${flow}"): paths["${producer}"] lists "${consumer}" twice; expected each consumer once. Remove the repeat.`,
          [producer, consumer],
        );
      }
      list.push(producer);
    }
  }
  return names.map((name) => {
    const task = tasks[name];
    if (isPlainObject(task)) {
      const extra = Object.keys(task).find((key) => key !== "node" && key !== "exclude");
      if (extra !== undefined) {
        throw new FlowDefinitionError(
          flow,
          `${unknownOptionMessage(`rt.flow.fromPaths("${flow}"): task "${name}"`, extra, ["node", "exclude"])} A task is a node or { node, exclude? }, and its dependencies come from paths. Use rt.flow for \`after\` and \`args\`.`,
          [name],
        );
      }
      return [name, { ...task, after: after.get(name)! }];
    }
    return [name, nodeHandle(task) === undefined ? task : { node: task, after: after.get(name)! }];
  });
}

/** Checks and builds the graph of `rt.flow.fromPaths`. */
export function pathsGraph(name: unknown, tasks: unknown, paths: unknown, options: unknown) {
  const flow = checkFlowName(name, "rt.flow.fromPaths");
  return buildGraph(flow, pathEntries(flow, tasks, paths), options);
}
