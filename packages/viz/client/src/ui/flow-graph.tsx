/**
 * The graph view of a flow call: its steps as boxes (coloured by how the step's call ended), its
 * dependencies as arrows, laid out by dependency level, as inline SVG. A box links to the step's
 * call; the flow's critical path is drawn heavier.
 */
import { useMemo } from "preact/hooks";
import { formatDuration } from "../format.js";
import { DEFAULT_LAYOUT, type FlowGraph, layoutFlow } from "../graph/layout.js";
import { stepCalls } from "../graph/steps.js";
import { href } from "../router.js";
import type { TreeNode } from "../tree/model.js";
import { statusClass } from "./icons.js";
import { useNav } from "./nav.js";

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function FlowGraphView({
  flow,
  graph,
  sessionId,
}: {
  flow: TreeNode;
  graph: FlowGraph;
  sessionId: string;
}) {
  const nav = useNav();
  const layout = useMemo(() => layoutFlow(graph), [graph]);
  const calls = stepCalls(flow, graph);
  const attributes = flow.call.attributes ?? {};
  const path = Array.isArray(attributes["flow.criticalPath"])
    ? (attributes["flow.criticalPath"] as unknown[]).filter(
        (name): name is string => typeof name === "string",
      )
    : [];
  const onPath = new Set(path);
  const pathEdges = new Set(path.slice(1).map((to, i) => `${path[i]}\u0000${to}`));
  const { boxWidth, boxHeight } = DEFAULT_LAYOUT;
  const number = (key: string) =>
    typeof attributes[key] === "number" ? (attributes[key] as number) : undefined;
  const makespan = number("flow.makespanMs");
  const sum = number("flow.sumMs");
  const speedup = number("flow.speedup");

  return (
    <div class="flow-graph">
      <div class="flow-scroll">
        <svg
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          role="img"
          aria-label={`Flow graph of ${graph.steps.length} steps`}
        >
          <defs>
            <marker
              id="rt-arrow"
              viewBox="0 0 8 8"
              refX="7"
              refY="4"
              markerWidth="8"
              markerHeight="8"
              markerUnits="userSpaceOnUse"
              orient="auto"
            >
              <path d="M0,0 L8,4 L0,8 z" class="arrow-head" />
            </marker>
            <marker
              id="rt-arrow-hot"
              viewBox="0 0 8 8"
              refX="7"
              refY="4"
              markerWidth="9"
              markerHeight="9"
              markerUnits="userSpaceOnUse"
              orient="auto"
            >
              <path d="M0,0 L8,4 L0,8 z" class="arrow-head hot" />
            </marker>
          </defs>
          {layout.edges.map((edge) => {
            const hot = pathEdges.has(`${edge.from}\u0000${edge.to}`);
            const midY = (edge.y1 + edge.y2) / 2;
            return (
              <path
                key={`${edge.from}\u0000${edge.to}`}
                class={hot ? "edge hot" : "edge"}
                d={`M${edge.x1},${edge.y1} C${edge.x1},${midY} ${edge.x2},${midY} ${edge.x2},${edge.y2 - 2}`}
                marker-end={hot ? "url(#rt-arrow-hot)" : "url(#rt-arrow)"}
              />
            );
          })}
          {layout.steps.map((step) => {
            const call = calls.get(step.name);
            const status = call ? statusClass(String(call.call.status)) : "pending";
            const duration =
              call && typeof call.call.end === "number"
                ? formatDuration(call.call.end - call.call.start)
                : "";
            const box = (
              <g
                class={`step st-${status}${onPath.has(step.name) ? " hot" : ""}${step.exclude ? " excluded" : ""}`}
              >
                <title>
                  {`${step.name} (node ${step.node})${call ? ` · ${String(call.call.status)}` : " · not run"}${step.exclude ? " · excluded from the result" : ""}`}
                </title>
                <rect x={step.x} y={step.y} width={boxWidth} height={boxHeight} rx="6" />
                <text x={step.x + 10} y={step.y + 16} class="step-name">
                  {clip(step.name, 20)}
                </text>
                <text x={step.x + 10} y={step.y + 31} class="step-sub">
                  {clip(
                    step.node === step.name
                      ? duration || status
                      : `${step.node}${duration ? ` · ${duration}` : ""}`,
                    24,
                  )}
                </text>
              </g>
            );
            if (!call) return <g key={step.name}>{box}</g>;
            const route = { page: "session" as const, sessionId, callId: call.id };
            return (
              <a
                key={step.name}
                href={href(nav.mode, route)}
                class="step-link"
                onClick={(event) => {
                  event.preventDefault();
                  nav.go(route, true);
                }}
              >
                {box}
              </a>
            );
          })}
        </svg>
      </div>
      {(makespan !== undefined || sum !== undefined || speedup !== undefined) && (
        <div class="flow-stats">
          {makespan !== undefined && <span>makespan {formatDuration(makespan)}</span>}
          {sum !== undefined && <span>sum of steps {formatDuration(sum)}</span>}
          {speedup !== undefined && <span>speedup {speedup.toFixed(2)}×</span>}
          {path.length > 0 && <span>critical path: {path.join(" → ")}</span>}
        </div>
      )}
    </div>
  );
}
