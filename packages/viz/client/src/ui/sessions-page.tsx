/**
 * The sessions list: search by name or id, filter by status, sort by start, duration, calls or
 * errors. Polled every two seconds, so a session that starts while the page is open appears.
 */

import type { SessionSummary } from "@runtrace/core";
import { STATUSES } from "@runtrace/core/browser";
import { useEffect, useMemo, useState } from "preact/hooks";
import type { Source } from "../data/source.js";
import { age, count, dateTime, formatDuration } from "../format.js";
import { SearchIcon, StatusBadge } from "./icons.js";
import { Link } from "./nav.js";

type SortKey = "start" | "duration" | "calls" | "errors" | "name";
const POLL_MS = 2000;
/** A session is never `skipped` (only flow steps are). */
const SESSION_STATUSES = STATUSES.filter((status) => status !== "skipped");
/** The status filter's extra choice: sessions whose file had a problem. */
const PROBLEM = "with problems";

function durationOf(session: SessionSummary, now: number): number {
  if (typeof session.end === "number") return session.end - session.start;
  return session.status === "running" ? Math.max(0, now - session.start) : Number.NaN;
}

export function SessionsPage({
  source,
  onTitle,
}: {
  source: Source;
  onTitle(title: string | undefined): void;
}) {
  const [sessions, setSessions] = useState<SessionSummary[] | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [query, setQuery] = useState("");
  const [status, setStatus] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "start", descending: true });
  const [now, setNow] = useState(Date.now());

  useEffect(() => onTitle(undefined), [onTitle]);

  useEffect(() => {
    let stopped = false;
    let busy = false;
    let controller: AbortController | undefined;
    const load = async () => {
      if (busy || stopped || document.visibilityState === "hidden") return;
      busy = true;
      controller = new AbortController();
      try {
        const response = await source.sessions(controller.signal);
        if (stopped) return;
        setSessions(Array.isArray(response.sessions) ? response.sessions : []);
        setFailure(undefined);
      } catch (error) {
        if (!stopped) setFailure(error instanceof Error ? error.message : String(error));
      } finally {
        busy = false;
        setNow(Date.now());
      }
    };
    load();
    const timer = setInterval(load, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
      controller?.abort();
    };
  }, [source]);

  const shown = useMemo(() => {
    if (!sessions) return [];
    const needle = query.trim().toLowerCase();
    const list = sessions.filter((session) => {
      if (status === PROBLEM ? !session.problem : status && session.status !== status) return false;
      if (!needle) return true;
      return (
        String(session.name).toLowerCase().includes(needle) ||
        String(session.id).toLowerCase().includes(needle)
      );
    });
    const value = (session: SessionSummary): number | string => {
      switch (sort.key) {
        case "start":
          return session.start;
        case "duration": {
          const duration = durationOf(session, now);
          return Number.isNaN(duration) ? -1 : duration;
        }
        case "calls":
          return session.calls;
        case "errors":
          return session.errors;
        case "name":
          return String(session.name).toLowerCase();
      }
    };
    const direction = sort.descending ? -1 : 1;
    return list.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      return (x < y ? -1 : x > y ? 1 : 0) * direction;
    });
  }, [sessions, query, status, sort, now]);

  const header = (key: SortKey, label: string, numeric = false) => {
    const active = sort.key === key;
    return (
      <th
        class={numeric ? "num sortable" : "sortable"}
        aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
      >
        <button
          type="button"
          onClick={() =>
            setSort(active ? { key, descending: !sort.descending } : { key, descending: key !== "name" })
          }
        >
          {label}
          <span class="sort-mark">{active ? (sort.descending ? "↓" : "↑") : ""}</span>
        </button>
      </th>
    );
  };

  return (
    <div class="sessions-page">
      <div class="sessions-toolbar">
        <h1>Sessions</h1>
        <label class="search-box">
          <SearchIcon />
          <input
            type="search"
            placeholder="Search by name or id"
            value={query}
            onInput={(event) => setQuery((event.target as HTMLInputElement).value)}
            aria-label="Search sessions"
          />
        </label>
        <select
          value={status}
          aria-label="Status"
          onChange={(event) => setStatus((event.target as HTMLSelectElement).value)}
        >
          <option value="">All statuses</option>
          {[...SESSION_STATUSES, PROBLEM].map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
        <span class="spacer" />
        {sessions && (
          <span class="muted">
            {shown.length === sessions.length
              ? `${count(sessions.length)} sessions`
              : `${count(shown.length)} of ${count(sessions.length)} sessions`}
          </span>
        )}
      </div>
      {failure && <div class="banner banner-error">Cannot list the sessions: {failure}</div>}
      {sessions === undefined && !failure && <div class="loading">Loading sessions…</div>}
      {sessions !== undefined && sessions.length === 0 && (
        <div class="empty-state">
          <h2>No sessions yet</h2>
          <p>
            Run a program that uses runtrace (for example <code>npm run demo</code>); its sessions appear here
            as they start.
          </p>
        </div>
      )}
      {sessions !== undefined && sessions.length > 0 && (
        <table class="sessions-table">
          <thead>
            <tr>
              <th class="col-status">Status</th>
              {header("name", "Name")}
              <th>Id</th>
              {header("start", "Started")}
              {header("duration", "Duration", true)}
              {header("calls", "Calls", true)}
              {header("errors", "Errors", true)}
            </tr>
          </thead>
          <tbody>
            {shown.map((session) => {
              const duration = durationOf(session, now);
              const route = { page: "session" as const, sessionId: String(session.id), callId: undefined };
              return (
                <tr
                  key={session.id}
                  class={session.problem ? "has-problem" : undefined}
                  data-session={session.id}
                >
                  <td class="col-status">
                    <StatusBadge status={String(session.status)} />
                  </td>
                  <td class="col-name">
                    <Link route={route}>{String(session.name)}</Link>
                    {session.problem && (
                      <div class="problem" title="A problem met while reading this session's file">
                        ⚠ {String(session.problem)}
                      </div>
                    )}
                  </td>
                  <td class="mono muted col-id">{String(session.id)}</td>
                  <td title={dateTime(session.start)}>
                    {session.start > 0 ? (
                      <>
                        {dateTime(session.start)} <span class="muted">· {age(session.start, now)}</span>
                      </>
                    ) : (
                      "–"
                    )}
                  </td>
                  <td class="num">{Number.isNaN(duration) ? "–" : formatDuration(duration)}</td>
                  <td class="num">{count(session.calls)}</td>
                  <td class={session.errors > 0 ? "num errors" : "num muted"}>{count(session.errors)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
