/**
 * Which call ran each step of a flow, among the children of the flow's call: the one carrying the
 * attribute `flow.step` with the step's name, else the first one not yet taken that is named after
 * the step (how flows name a step's call), else after the step's node.
 */
import type { TreeNode } from "../tree/model.js";
import type { FlowGraph, FlowGraphStep } from "./layout.js";

export function stepCalls(flow: TreeNode, graph: FlowGraph): Map<string, TreeNode> {
  const found = new Map<string, TreeNode>();
  const taken = new Set<TreeNode>();
  const names = new Set(graph.steps.map((step) => step.name));
  for (const child of flow.children) {
    const step = child.call.attributes?.["flow.step"];
    if (typeof step === "string" && names.has(step) && !found.has(step)) {
      found.set(step, child);
      taken.add(child);
    }
  }
  const match = (fits: (node: string, step: FlowGraphStep) => boolean) => {
    for (const step of graph.steps) {
      if (found.has(step.name)) continue;
      const child = flow.children.find(
        (candidate) => !taken.has(candidate) && fits(String(candidate.call.node), step),
      );
      if (child) {
        found.set(step.name, child);
        taken.add(child);
      }
    }
  };
  match((node, step) => node === step.name);
  match((node, step) => node === step.node);
  return found;
}
