/**
 * A session: header, toolbar (search, errors only, critical path, expand/collapse), the call tree
 * with its timeline, and the details of the selected call. Loads the snapshot page by page (rows
 * show after the first page) and follows a running session live.
 */
import { failed as isFailure } from "@runtrace/core/browser";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ConfigResponse, SessionResponse } from "../../../src/shared/types.js";
import type { Source } from "../data/source.js";
import { count } from "../format.js";
import { timeScale, withOpenEnd } from "../timeline/scale.js";
import { criticalIds } from "../tree/critical-path.js";
import { TreeModel } from "../tree/model.js";
import { type NavKey, navigate, toggle } from "../tree/navigation.js";
import { collapseAll, expandTo, failurePaths, visibleRows } from "../tree/rows.js";
import { findMatches, stepMatch } from "../tree/search.js";
import { Details } from "./details.js";
import { typing } from "./help.js";
import { Link, useNav } from "./nav.js";
import { useClock, useDebounced, useFrameScheduler } from "./schedule.js";
import { SearchBox } from "./search-box.js";
import { SessionHeader } from "./session-header.js";
import { ROW_HEIGHT, TraceView } from "./trace-view.js";

const KEYS: Record<string, NavKey> = {
  ArrowUp: "up",
  ArrowDown: "down",
  ArrowLeft: "left",
  ArrowRight: "right",
  Home: "home",
  End: "end",
  PageUp: "pageUp",
  PageDown: "pageDown",
};

interface Props {
  source: Source;
  sessionId: string;
  callId: string | undefined;
  config: ConfigResponse;
  onTitle(title: string | undefined): void;
}

export function SessionPage({ source, sessionId, callId, config, onTitle }: Props) {
  const nav = useNav();
  const model = useMemo(() => new TreeModel(), []);
  const [version, setVersion] = useState(0);
  const [session, setSession] = useState<SessionResponse | undefined>(undefined);
  const [progress, setProgress] = useState({ loaded: 0, total: 0, done: false });
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const refresh = useFrameScheduler(() => setVersion(model.version));

  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [errorsOnly, setErrorsOnly] = useState(false);
  const [showCritical, setShowCritical] = useState(false);
  const [query, setQuery] = useState("");
  const [matchIndex, setMatchIndex] = useState(-1);
  const [cursorId, setCursorId] = useState<string | undefined>(callId);
  const [detailsWidth, setDetailsWidth] = useState(440);
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const searchRef = useRef<HTMLInputElement | null>(null);
  const pendingScroll = useRef<{ id: string; center: boolean } | undefined>(undefined);
  const pendingReveal = useRef<string | undefined>(callId);
  const [scrollNonce, setScrollNonce] = useState(0);
  const focused = useRef(false);

  useEffect(
    () =>
      source.openSession(sessionId, {
        session(next) {
          setSession(next);
          if (next.root) model.upsert(next.root);
          refresh();
        },
        calls(calls) {
          model.upsertAll(calls);
          refresh();
        },
        progress(loaded, total, done) {
          setProgress({ loaded, total, done });
          if (done) {
            model.adoptOrphans();
            refresh();
          }
        },
        failed(error) {
          setFailure(error.message);
        },
      }),
    [source, sessionId, model, refresh],
  );

  const root = model.root;
  const rootEnded = typeof root?.call.end === "number";
  const live = !!session?.live && !rootEnded;
  const now = useClock(live);
  const clock = live ? Math.max(now, model.lastTime) : model.lastTime;

  useEffect(() => onTitle(root ? String(root.call.node) : undefined), [root?.call.node, onTitle]);
  const rows = useMemo(
    () => visibleRows(model, { collapsed, errorsOnly }),
    [model, version, collapsed, errorsOnly],
  );
  const stats = useMemo(() => {
    let running = 0;
    let failed = 0;
    for (const node of model.nodes()) {
      if (node === model.root) continue;
      if (node.call.status === "running") running++;
      else if (isFailure(node.call.status)) failed++;
    }
    return { calls: Math.max(0, model.size - (model.root ? 1 : 0)), running, failed };
  }, [model, version]);
  // Calls with no end in a session that is not followed live are drawn open-ended, fading out
  // past the last time seen: the scale leaves room for that.
  const anyOpen = !live && root !== undefined && (!rootEnded || stats.running > 0);
  const fullScale = timeScale(
    root?.call.start ?? 0,
    Math.max(rootEnded ? (root!.call.end as number) : 0, model.lastTime, live ? clock : 0),
  );
  const scale = anyOpen ? withOpenEnd(fullScale) : fullScale;
  const activeQuery = useDebounced(query, 150);
  const matches = useMemo(
    () => findMatches(model, activeQuery, errorsOnly ? failurePaths(model) : undefined),
    [model, version, activeQuery, errorsOnly],
  );
  const matchIds = useMemo(() => new Set(matches.map((node) => node.id)), [matches]);
  const critical = useMemo(
    () => (showCritical ? criticalIds(model, clock) : undefined),
    [model, version, showCritical, live ? clock : 0],
  );

  const select = (id: string) => nav.go({ page: "session", sessionId, callId: id }, true);

  /** Expands the call's ancestors, puts the cursor on it and scrolls it into view. */
  const reveal = (id: string, center: boolean) => {
    setCollapsed((current) => expandTo(model, id, current));
    setCursorId(id);
    pendingScroll.current = { id, center };
    setScrollNonce((n) => n + 1);
  };

  // A call named in the URL is revealed as soon as it has loaded (it may be on a later page).
  useEffect(() => {
    pendingReveal.current = callId;
  }, [callId]);
  useEffect(() => {
    const id = pendingReveal.current;
    if (id !== undefined && model.get(id)) {
      pendingReveal.current = undefined;
      reveal(id, true);
    }
  }, [callId, version]);

  // Scroll a revealed row into view once the rows include it.
  useLayoutEffect(() => {
    const wanted = pendingScroll.current;
    const element = scrollRef.current;
    if (!wanted || !element) return;
    const index = rows.findIndex((row) => row.id === wanted.id);
    if (index < 0) return;
    pendingScroll.current = undefined;
    const top = index * ROW_HEIGHT;
    const view = element.clientHeight;
    if (top >= element.scrollTop && top + ROW_HEIGHT <= element.scrollTop + view) return;
    element.scrollTop = wanted.center
      ? Math.max(0, top - view / 2 + ROW_HEIGHT / 2)
      : top < element.scrollTop
        ? top
        : top + ROW_HEIGHT - view;
  }, [rows, scrollNonce]);

  // Focus the tree once it has rows, so the keyboard works at once.
  useEffect(() => {
    if (focused.current || rows.length === 0) return;
    focused.current = true;
    if (document.activeElement === document.body || document.activeElement === null)
      scrollRef.current?.focus({ preventScroll: true });
  }, [rows.length]);

  // A new search goes to its first match.
  useEffect(() => {
    if (activeQuery.trim() === "") {
      setMatchIndex(-1);
      return;
    }
    const first = matches[0];
    setMatchIndex(first ? 0 : -1);
    if (first) {
      reveal(first.id, true);
      select(first.id);
    }
  }, [activeQuery]);

  const goToMatch = (step: 1 | -1) => {
    const next = stepMatch(matches.length, Math.min(matchIndex, matches.length - 1), step);
    const node = matches[next];
    if (!node) return;
    setMatchIndex(next);
    reveal(node.id, true);
    select(node.id);
  };

  const onTreeKey = (event: KeyboardEvent) => {
    const key = KEYS[event.key];
    if (key) {
      event.preventDefault();
      const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 480) / ROW_HEIGHT) - 1);
      const next = navigate(rows, { cursor: cursorId, collapsed }, key, page);
      if (next.collapsed !== collapsed) setCollapsed(next.collapsed);
      if (next.cursor !== undefined) {
        setCursorId(next.cursor);
        pendingScroll.current = { id: next.cursor, center: false };
        setScrollNonce((n) => n + 1);
      }
      return;
    }
    if (event.key === "Enter" && cursorId !== undefined) {
      event.preventDefault();
      select(cursorId);
    } else if (event.key === " " && cursorId !== undefined) {
      event.preventDefault();
      if (model.get(cursorId)?.children.length) setCollapsed(toggle(collapsed, cursorId));
    }
  };

  // Page-wide keys: "/" search, "e" errors only, "c" critical path.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typing(event.target) || event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === "/") {
        event.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      } else if (event.key === "e") setErrorsOnly((value) => !value);
      else if (event.key === "c") setShowCritical((value) => !value);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const startResize = (event: PointerEvent) => {
    event.preventDefault();
    const startX = event.clientX;
    const startWidth = detailsWidth;
    const target = event.currentTarget as HTMLElement;
    target.setPointerCapture(event.pointerId);
    const move = (moved: PointerEvent) =>
      setDetailsWidth(
        Math.max(280, Math.min(window.innerWidth - 360, startWidth - (moved.clientX - startX))),
      );
    const up = () => {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", up);
    };
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up);
  };

  if (failure && !root) {
    return (
      <div class="empty-state">
        <h2>Cannot open this session</h2>
        <p class="problem">{failure}</p>
        {nav.mode === "served" && (
          <p>
            <Link route={{ page: "sessions" }}>Back to the sessions</Link>
          </p>
        )}
      </div>
    );
  }
  if (!root) return <div class="loading">Loading session…</div>;

  const summary = session?.summary;
  const warnings = session?.warnings ?? [];
  const selected = callId === undefined ? root : model.get(callId);
  const rootDuration = (rootEnded ? (root.call.end as number) : clock) - root.call.start;
  const loading = !progress.done && progress.total > 0;
  const currentMatch = matchIndex >= 0 ? matches[matchIndex] : undefined;

  return (
    <div class="session-page" style={{ "--details-w": `${detailsWidth}px` }}>
      <SessionHeader
        name={String(root.call.node)}
        status={String(root.call.status)}
        id={String(summary?.id ?? sessionId)}
        start={root.call.start}
        duration={rootDuration}
        live={live}
        lastSeen={!live && !rootEnded ? model.lastTime : undefined}
        stats={stats}
        progress={loading ? progress : undefined}
        warnings={warnings}
        failure={failure}
      />
      <div class="toolbar" role="toolbar" aria-label="Tree tools">
        <SearchBox
          inputRef={searchRef}
          query={query}
          activeQuery={activeQuery}
          matchCount={matches.length}
          matchIndex={matchIndex}
          onQuery={setQuery}
          onStep={goToMatch}
          onEscape={() => scrollRef.current?.focus()}
        />
        <button
          type="button"
          class={errorsOnly ? "toggle on" : "toggle"}
          aria-pressed={errorsOnly}
          title="Only failed calls and their ancestors (e)"
          onClick={() => setErrorsOnly(!errorsOnly)}
        >
          Errors only <span class="toggle-count">{count(stats.failed)}</span>
        </button>
        <button
          type="button"
          class={showCritical ? "toggle on" : "toggle"}
          aria-pressed={showCritical}
          title="The chain of calls that determined when the session ended (c)"
          onClick={() => setShowCritical(!showCritical)}
        >
          Critical path
        </button>
        <span class="spacer" />
        <button type="button" class="plain" onClick={() => setCollapsed(new Set())}>
          Expand all
        </button>
        <button type="button" class="plain" onClick={() => setCollapsed(collapseAll(model))}>
          Collapse all
        </button>
      </div>
      <div class="session-body">
        <TraceView
          rows={rows}
          scale={scale}
          clock={clock}
          live={live}
          lastSeen={anyOpen ? model.lastTime : undefined}
          collapsed={collapsed}
          selectedId={selected?.id}
          cursorId={cursorId}
          critical={critical}
          matchIds={activeQuery.trim() ? matchIds : undefined}
          currentMatchId={currentMatch?.id}
          scrollRef={scrollRef}
          onToggle={(id) => setCollapsed((current) => toggle(current, id))}
          onPick={(id) => {
            setCursorId(id);
            select(id);
          }}
          onKeyDown={onTreeKey}
          onFocus={() => {
            // The keyboard starts where the eye is: on the selected call, or the first row.
            if (cursorId === undefined || !rows.some((row) => row.id === cursorId))
              setCursorId(selected && rows.includes(selected) ? selected.id : rows[0]?.id);
          }}
          empty={errorsOnly ? "No failed calls." : "No calls yet."}
        />
        {errorsOnly && stats.failed === 0 && <div class="overlay-note">No failed calls in this session.</div>}
        <div
          class="panel-resizer"
          aria-hidden="true"
          title="Drag to resize the details panel"
          onPointerDown={startResize}
        />
        <Details
          node={selected}
          sessionId={sessionId}
          sessionStart={root.call.start}
          clock={clock}
          live={live}
          config={config}
          missingId={selected ? undefined : callId}
        />
      </div>
    </div>
  );
}
