import { describe, expect, test } from "vitest";
import { layoutFlow, parseFlowGraph, stepLevels } from "../../../packages/viz/client/src/graph/layout.js";
import { stepCalls } from "../../../packages/viz/client/src/graph/steps.js";
import { TreeModel } from "../../../packages/viz/client/src/tree/model.js";
import { flat } from "./fixtures.js";

const REPORT = {
  steps: [
    { name: "ingest", node: "ingestNode", exclude: false },
    { name: "stats", node: "statsNode", exclude: false },
    { name: "patterns", node: "patternsNode", exclude: true },
    { name: "report", node: "reportNode", exclude: false },
  ],
  edges: [
    ["ingest", "stats"],
    ["ingest", "patterns"],
    ["stats", "report"],
    ["patterns", "report"],
  ],
};

describe("flow graph", () => {
  test("reads the recorded flow.graph defensively", () => {
    const graph = parseFlowGraph(REPORT)!;
    expect(graph.steps.map((step) => step.name)).toEqual(["ingest", "stats", "patterns", "report"]);
    expect(graph.steps[2]!.exclude).toBe(true);
    expect(parseFlowGraph(undefined)).toBeUndefined();
    expect(parseFlowGraph({ steps: "x" })).toBeUndefined();
    expect(parseFlowGraph({ steps: [] })).toBeUndefined();
    const messy = parseFlowGraph({
      steps: [{ name: "a" }, { name: "a" }, null, { name: 3 }, { name: "b", node: "nb" }],
      edges: [["a", "b"], ["a", "zzz"], ["b", "b"], "x", [1, 2]],
    })!;
    expect(messy.steps).toEqual([
      { name: "a", node: "a", exclude: false },
      { name: "b", node: "nb", exclude: false },
    ]);
    expect(messy.edges).toEqual([["a", "b"]]);
  });

  test("levels follow the longest dependency chain, as a flow schedules them", () => {
    const levels = stepLevels(parseFlowGraph(REPORT)!);
    expect(Object.fromEntries(levels)).toEqual({ ingest: 0, stats: 1, patterns: 1, report: 2 });
    const skip = parseFlowGraph({
      steps: [{ name: "a" }, { name: "b" }, { name: "c" }],
      edges: [
        ["a", "b"],
        ["b", "c"],
        ["a", "c"],
      ],
    })!;
    expect(Object.fromEntries(stepLevels(skip))).toEqual({ a: 0, b: 1, c: 2 });
  });

  test("a cycle (never valid, but recorded data) still lays out", () => {
    const cyclic = parseFlowGraph({
      steps: [{ name: "a" }, { name: "b" }],
      edges: [
        ["a", "b"],
        ["b", "a"],
      ],
    })!;
    const layout = layoutFlow(cyclic);
    expect(layout.steps).toHaveLength(2);
  });

  test("boxes by level top to bottom, levels centred, edges from a box's bottom to the next one's top", () => {
    const layout = layoutFlow(parseFlowGraph(REPORT)!, {
      boxWidth: 100,
      boxHeight: 30,
      gapX: 10,
      gapY: 20,
      margin: 5,
    });
    expect(layout.levels).toEqual([["ingest"], ["stats", "patterns"], ["report"]]);
    expect(layout.width).toBe(5 * 2 + 2 * 100 + 10);
    expect(layout.height).toBe(5 * 2 + 3 * 30 + 2 * 20);
    const at = Object.fromEntries(layout.steps.map((step) => [step.name, step]));
    expect(at.ingest!.y).toBe(5);
    expect(at.stats!.y).toBe(55);
    expect(at.ingest!.x).toBe(at.report!.x);
    expect(at.stats!.x).toBeLessThan(at.patterns!.x);
    const edge = layout.edges.find((e) => e.from === "ingest" && e.to === "stats")!;
    expect(edge).toMatchObject({ x1: at.ingest!.x + 50, y1: 35, x2: at.stats!.x + 50, y2: 55 });
  });

  test("orders a level next to its dependencies (fewer crossings)", () => {
    const graph = parseFlowGraph({
      steps: [{ name: "a" }, { name: "b" }, { name: "fromB" }, { name: "fromA" }],
      edges: [
        ["a", "fromA"],
        ["b", "fromB"],
      ],
    })!;
    expect(layoutFlow(graph).levels[1]).toEqual(["fromA", "fromB"]);
  });

  test("finds each step's call: by the flow.step attribute, else by the step's name, else by its node", () => {
    const tree = new TreeModel();
    tree.upsertAll([
      flat("0", null, 0),
      flat("1", "0", 1, { kind: "flow" }),
      flat("2", "1", 2, { node: "ingestNode" }),
      flat("3", "1", 3, { node: "other", attributes: { "flow.step": "stats" } }),
      flat("4", "1", 4, { node: "reportNode" }),
      flat("5", "1", 5, { node: "patterns" }),
    ]);
    const calls = stepCalls(tree.get("1")!, parseFlowGraph(REPORT)!);
    expect(Object.fromEntries([...calls].map(([step, node]) => [step, node.id]))).toEqual({
      ingest: "2",
      stats: "3",
      patterns: "5",
      report: "4",
    });
  });
});
