/**
 * The call tree and its timeline, one row per visible call, virtualized: only the rows in view
 * (plus a small overscan) are in the DOM, whatever the session's size. Rows have a fixed height,
 * so the scroll position alone says which rows to draw.
 */
import { failed } from "@runtrace/core/browser";
import type { Ref } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatDuration } from "../format.js";
import { axisLabels, bar, fraction, type TimeScale, ticks } from "../timeline/scale.js";
import { genAiLine, genAiSummary, spanKindOf } from "../tree/genai.js";
import { endOf, isOpen, shownStatus, type TreeNode } from "../tree/model.js";
import { argsPreview, callPreview } from "../tree/preview.js";
import { Caret, KindBadge, statusClass } from "./icons.js";

export const ROW_HEIGHT = 24;
const OVERSCAN = 12;
const MAX_EVENT_MARKS = 12;
/** How far the fading end of an open-ended bar reaches past the last time seen. */
const OPEN_TAIL_PX = 24;
/** A tick label's width: 11px tabular digits, its 4px padding and its 1px border, with room to spare. */
const tickLabelPx = (label: string) => label.length * 7 + 6;

export interface TraceViewProps {
  rows: readonly TreeNode[];
  scale: TimeScale;
  /** What "now" is for running calls (the page's clock, or the last recorded time when not live). */
  clock: number;
  /** The session still runs: running calls grow. When it does not, they are open-ended. */
  live: boolean;
  /** For a session that never ended (and is not live): the last time recorded, marked on the timeline. */
  lastSeen: number | undefined;
  collapsed: ReadonlySet<string>;
  selectedId: string | undefined;
  cursorId: string | undefined;
  critical: ReadonlySet<string> | undefined;
  matchIds: ReadonlySet<string> | undefined;
  currentMatchId: string | undefined;
  scrollRef: Ref<HTMLDivElement>;
  onToggle(id: string): void;
  onPick(id: string): void;
  onKeyDown(event: KeyboardEvent): void;
  /** The tree got the keyboard focus. */
  onFocus(): void;
  empty?: string;
}

/** Indentation in px: full steps near the top, then smaller ones so deep trees keep their names. */
function indent(depth: number): number {
  return depth <= 12 ? depth * 14 : 12 * 14 + Math.min(depth - 12, 60) * 4;
}

export function TraceView(props: TraceViewProps) {
  const { rows, scale, clock } = props;
  const scroller = useRef<HTMLDivElement | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [size, setSize] = useState({ width: 900, height: 600, scrollbar: 0 });
  const [treeWidth, setTreeWidth] = useState(360);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () =>
      setSize({
        width: element.clientWidth,
        height: element.clientHeight,
        scrollbar: element.offsetWidth - element.clientWidth,
      });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const tree = Math.max(160, Math.min(treeWidth, size.width - 160));
  const timelineWidth = Math.max(40, size.width - tree);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + size.height) / ROW_HEIGHT) + OVERSCAN);
  const marks = ticks(scale, timelineWidth - 16, 90);
  const labels = axisLabels(marks, timelineWidth - 16, tickLabelPx);

  const setRef = (element: HTMLDivElement | null) => {
    scroller.current = element;
    const ref = props.scrollRef;
    if (typeof ref === "function") ref(element);
    else if (ref) ref.current = element;
  };

  const startResize = (event: PointerEvent) => {
    event.preventDefault();
    const startX = event.clientX;
    const startWidth = tree;
    const target = event.currentTarget as HTMLElement;
    target.setPointerCapture(event.pointerId);
    const move = (moved: PointerEvent) => setTreeWidth(startWidth + moved.clientX - startX);
    const up = () => {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", up);
    };
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up);
  };

  const visible: preact.JSX.Element[] = [];
  for (let index = first; index < last; index++) {
    const node = rows[index]!;
    visible.push(
      <Row
        key={node.id}
        node={node}
        index={index}
        scale={scale}
        clock={clock}
        live={props.live}
        timelineWidth={timelineWidth - 16}
        collapsed={props.collapsed.has(node.id)}
        selected={node.id === props.selectedId}
        cursor={node.id === props.cursorId}
        critical={props.critical?.has(node.id) ?? false}
        match={props.matchIds?.has(node.id) ?? false}
        currentMatch={node.id === props.currentMatchId}
        onToggle={props.onToggle}
        onPick={props.onPick}
      />,
    );
  }
  // Only a drawn row can be the active descendant (the others are not in the DOM).
  let cursorIndex = -1;
  for (let index = first; index < last; index++) if (rows[index]!.id === props.cursorId) cursorIndex = index;

  return (
    <div class="trace" style={{ "--tree-w": `${tree}px` }}>
      <div class="trace-head" style={{ paddingRight: `${size.scrollbar}px` }}>
        <div class="trace-head-tree">
          <span>Call</span>
          <span class="muted">{rows.length.toLocaleString("en-US")} rows</span>
          <div
            class="col-resizer"
            aria-hidden="true"
            title="Drag to resize the tree column"
            onPointerDown={startResize}
          />
        </div>
        <div class="trace-head-time">
          {labels.map((tick) =>
            tick.align === "end" ? (
              <span key={tick.offsetMs} class="tick-label end" style={{ right: `${(1 - tick.at) * 100}%` }}>
                {tick.label}
              </span>
            ) : (
              <span key={tick.offsetMs} class="tick-label" style={{ left: `${tick.at * 100}%` }}>
                {tick.label}
              </span>
            ),
          )}
        </div>
      </div>
      <div class="trace-body">
        <div
          ref={setRef}
          class="trace-scroll"
          tabIndex={0}
          role="tree"
          aria-label="Calls"
          aria-activedescendant={cursorIndex >= 0 ? `row-${cursorIndex}` : undefined}
          onScroll={(event) => setScrollTop((event.currentTarget as HTMLDivElement).scrollTop)}
          onKeyDown={props.onKeyDown}
          onFocus={props.onFocus}
        >
          <div class="trace-canvas" style={{ height: `${rows.length * ROW_HEIGHT}px` }}>
            {visible}
          </div>
          {rows.length === 0 && props.empty && <div class="trace-empty">{props.empty}</div>}
        </div>
        <div
          class="gridlines"
          style={{ left: `${tree + 8}px`, right: `${size.scrollbar + 8}px` }}
          aria-hidden="true"
        >
          {marks.map((tick) => (
            <span key={tick.offsetMs} class="gridline" style={{ left: `${tick.at * 100}%` }} />
          ))}
          {props.lastSeen !== undefined && (
            <span class="gridline last-seen" style={{ left: `${fraction(scale, props.lastSeen) * 100}%` }} />
          )}
        </div>
      </div>
    </div>
  );
}

interface RowProps {
  node: TreeNode;
  index: number;
  scale: TimeScale;
  clock: number;
  live: boolean;
  timelineWidth: number;
  collapsed: boolean;
  selected: boolean;
  cursor: boolean;
  critical: boolean;
  match: boolean;
  currentMatch: boolean;
  onToggle(id: string): void;
  onPick(id: string): void;
}

function Row(props: RowProps) {
  const { node, scale, clock } = props;
  const call = node.call;
  const shown = shownStatus(call, props.live);
  const status = statusClass(shown);
  const running = props.live && call.status === "running" && typeof call.end !== "number";
  const open = isOpen(call, props.live);
  const end = endOf(call, clock);
  const duration = end - call.start;
  const geometry = bar(scale, call.start, end);
  const hasChildren = node.children.length > 0;
  const classes = ["row", `st-${status}`];
  if (props.selected) classes.push("selected");
  if (props.cursor) classes.push("cursor");
  if (props.critical) classes.push("critical");
  if (props.match) classes.push("match");
  if (props.currentMatch) classes.push("current-match");

  // Where the duration label goes: after the bar, before it, or inside it when neither has room.
  // An open-ended call ran at least until the last time seen; how long it really ran is unknown.
  const label = open
    ? duration >= 0.005
      ? `≥ ${formatDuration(duration)}`
      : "no end"
    : `${formatDuration(duration)}${running ? " …" : ""}`;
  const labelPx = label.length * 6.6 + 10;
  const startPx = geometry.left * props.timelineWidth;
  const endPx = (geometry.left + geometry.width) * props.timelineWidth;
  // Outside, a label keeps clear of an open bar's fading end; inside, it sits in the solid part.
  const afterPx = endPx + (open ? OPEN_TAIL_PX : 0);
  let labelStyle: Record<string, string>;
  let labelClass = "dur";
  if (afterPx + labelPx < props.timelineWidth) labelStyle = { left: `${afterPx + 5}px` };
  else if (startPx > labelPx) labelStyle = { right: `${props.timelineWidth - startPx + 5}px` };
  else {
    labelStyle = { right: `${Math.max(0, props.timelineWidth - endPx) + 4}px` };
    labelClass = "dur inside";
  }

  const wait =
    typeof call.waitMs === "number" && call.waitMs > 0 && duration > 0 ? call.waitMs / duration : 0;
  const events = Array.isArray(call.events) ? call.events.slice(0, MAX_EVENT_MARKS) : [];

  // Rows are not focusable themselves: the tree (role="tree") has the focus and the keyboard, and
  // points at the cursor row with aria-activedescendant.
  return (
    // biome-ignore lint/a11y/useFocusableInteractive: the tree container holds focus (aria-activedescendant)
    // biome-ignore lint/a11y/useKeyWithClickEvents: the tree container handles the keys for every row
    <div
      class={classes.join(" ")}
      id={`row-${props.index}`}
      style={{ top: `${props.index * ROW_HEIGHT}px` }}
      role="treeitem"
      aria-level={node.depth + 1}
      aria-expanded={hasChildren ? !props.collapsed : undefined}
      aria-selected={props.selected}
      data-call-id={node.id}
      onClick={() => props.onPick(node.id)}
      onDblClick={() => hasChildren && props.onToggle(node.id)}
    >
      <div class="cell-tree" style={{ paddingLeft: `${6 + indent(node.depth)}px` }}>
        {hasChildren ? (
          <button
            type="button"
            class="caret"
            tabIndex={-1}
            aria-label={props.collapsed ? "Expand" : "Collapse"}
            onClick={(event) => {
              event.stopPropagation();
              props.onToggle(node.id);
            }}
          >
            <Caret open={!props.collapsed} />
          </button>
        ) : (
          <span class="caret-space" />
        )}
        <KindBadge kind={String(call.kind)} spanKind={spanKindOf(call)} />
        <span class="name">{String(call.node)}</span>
        <GenAi node={node} />
        <Preview node={node} />
        {props.collapsed && hasChildren && (
          <span class="child-count" title={`${node.children.length} direct children hidden`}>
            {node.children.length.toLocaleString("en-US")}
          </span>
        )}
        {call.attempts > 1 && (
          <span class="attempts" title={`${call.attempts} attempts`}>
            ×{call.attempts}
          </span>
        )}
        {status !== "ok" && status !== "running" && (
          <span class={failed(shown) ? "row-status failed" : "row-status"}>{shown}</span>
        )}
      </div>
      <div class="cell-time">
        <div
          class={running ? "bar running" : open ? "bar open" : "bar"}
          title={open ? "No end was recorded: drawn up to the last time seen" : undefined}
          style={{ left: `${geometry.left * 100}%`, width: `max(2px, ${geometry.width * 100}%)` }}
        >
          {wait > 0 && <span class="bar-wait" style={{ width: `${Math.min(1, wait) * 100}%` }} />}
        </div>
        {events.map((event, i) =>
          typeof event?.time === "number" ? (
            <span key={i} class="event-mark" style={{ left: `${fraction(scale, event.time) * 100}%` }} />
          ) : null,
        )}
        <span class={labelClass} style={labelStyle}>
          {label}
        </span>
      </div>
    </div>
  );
}

/** A model call's model and tokens (runtrace's own, or another instrumentation's span). */
function GenAi({ node }: { node: TreeNode }) {
  const summary = genAiSummary(node.call);
  if (summary === undefined) return null;
  return <span class="genai">{genAiLine(summary)}</span>;
}

/** The call's arguments in one muted line, as text; the whole (longer) preview on hover. */
function Preview({ node }: { node: TreeNode }) {
  const preview = callPreview(node.call);
  if (preview === "") return null;
  return (
    <span class="args" title={argsPreview(node.call.input, 600)}>
      {preview}
    </span>
  );
}
