/**
 * Lays out a flow's steps for the graph view: each step on the level of its longest dependency
 * chain (top to bottom), steps of a level ordered next to their dependencies, edges from the bottom
 * of a box to the top of the next. Pure; reads the recorded `flow.graph` attribute defensively,
 * since it is recorded data.
 */

export interface FlowGraphStep {
  name: string;
  node: string;
  exclude: boolean;
}

export interface FlowGraph {
  steps: FlowGraphStep[];
  edges: Array<[string, string]>;
}

/** The `flow.graph` attribute as a graph, or `undefined` when it is missing or malformed. */
export function parseFlowGraph(value: unknown): FlowGraph | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const raw = value as { steps?: unknown; edges?: unknown };
  if (!Array.isArray(raw.steps)) return undefined;
  const steps: FlowGraphStep[] = [];
  const seen = new Set<string>();
  for (const item of raw.steps) {
    if (item === null || typeof item !== "object") continue;
    const step = item as { name?: unknown; node?: unknown; exclude?: unknown };
    if (typeof step.name !== "string" || seen.has(step.name)) continue;
    seen.add(step.name);
    steps.push({
      name: step.name,
      node: typeof step.node === "string" ? step.node : step.name,
      exclude: step.exclude === true,
    });
  }
  const edges: Array<[string, string]> = [];
  if (Array.isArray(raw.edges)) {
    for (const edge of raw.edges) {
      if (!Array.isArray(edge) || edge.length < 2) continue;
      const [from, to] = edge as unknown[];
      if (typeof from === "string" && typeof to === "string" && seen.has(from) && seen.has(to) && from !== to)
        edges.push([from, to]);
    }
  }
  return steps.length > 0 ? { steps, edges } : undefined;
}

export interface LayoutOptions {
  boxWidth: number;
  boxHeight: number;
  gapX: number;
  gapY: number;
  margin: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { boxWidth: 150, boxHeight: 40, gapX: 20, gapY: 36, margin: 10 };

export interface PlacedStep extends FlowGraphStep {
  level: number;
  /** Position within its level. */
  slot: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** Start (bottom centre of `from`) and end (top centre of `to`). */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface FlowLayout {
  steps: PlacedStep[];
  edges: PlacedEdge[];
  width: number;
  height: number;
  levels: string[][];
}

/** Level of each step: 0 for steps with no dependency, else 1 + the highest level among them. */
export function stepLevels(graph: FlowGraph): Map<string, number> {
  const preds = new Map<string, string[]>(graph.steps.map((step) => [step.name, []]));
  for (const [from, to] of graph.edges) preds.get(to)?.push(from);
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0; // a cycle (never written by a valid flow): cut it here
    visiting.add(name);
    let value = 0;
    for (const pred of preds.get(name) ?? []) value = Math.max(value, visit(pred) + 1);
    visiting.delete(name);
    level.set(name, value);
    return value;
  };
  for (const step of graph.steps) visit(step.name);
  return level;
}

export function layoutFlow(graph: FlowGraph, options: LayoutOptions = DEFAULT_LAYOUT): FlowLayout {
  const level = stepLevels(graph);
  const deepest = Math.max(0, ...level.values());
  const levels: string[][] = Array.from({ length: deepest + 1 }, () => []);
  for (const step of graph.steps) levels[level.get(step.name) ?? 0]!.push(step.name);
  const preds = new Map<string, string[]>();
  for (const [from, to] of graph.edges) {
    const list = preds.get(to);
    if (list) list.push(from);
    else preds.set(to, [from]);
  }
  // Order each level by the mean slot of its dependencies (barycenter), keeping definition order
  // on ties: fewer crossings for the usual fan-out / fan-in shapes.
  const slot = new Map<string, number>();
  const definition = new Map(graph.steps.map((step, i) => [step.name, i]));
  levels.forEach((names, depth) => {
    if (depth > 0) {
      const weight = (name: string): number => {
        const from = (preds.get(name) ?? []).map((pred) => slot.get(pred) ?? 0);
        return from.length === 0 ? Number.POSITIVE_INFINITY : from.reduce((a, b) => a + b, 0) / from.length;
      };
      const weights = new Map(names.map((name) => [name, weight(name)]));
      names.sort((a, b) => weights.get(a)! - weights.get(b)! || definition.get(a)! - definition.get(b)! || 0);
    }
    names.forEach((name, i) => {
      slot.set(name, i);
    });
  });
  const widest = Math.max(1, ...levels.map((names) => names.length));
  const { boxWidth, boxHeight, gapX, gapY, margin } = options;
  const width = margin * 2 + widest * boxWidth + (widest - 1) * gapX;
  const height = margin * 2 + levels.length * boxHeight + Math.max(0, levels.length - 1) * gapY;
  const byName = new Map(graph.steps.map((step) => [step.name, step]));
  const placed = new Map<string, PlacedStep>();
  levels.forEach((names, depth) => {
    // Centre each level horizontally.
    const rowWidth = names.length * boxWidth + Math.max(0, names.length - 1) * gapX;
    const offset = margin + (width - margin * 2 - rowWidth) / 2;
    names.forEach((name, i) => {
      placed.set(name, {
        ...byName.get(name)!,
        level: depth,
        slot: i,
        x: offset + i * (boxWidth + gapX),
        y: margin + depth * (boxHeight + gapY),
      });
    });
  });
  const edges: PlacedEdge[] = [];
  for (const [from, to] of graph.edges) {
    const a = placed.get(from);
    const b = placed.get(to);
    if (!a || !b) continue;
    edges.push({
      from,
      to,
      x1: a.x + boxWidth / 2,
      y1: a.y + boxHeight,
      x2: b.x + boxWidth / 2,
      y2: b.y,
    });
  }
  return { steps: graph.steps.map((step) => placed.get(step.name)!), edges, width, height, levels };
}
