/** The top of a session page: name, status, live badge, facts, load progress, reading problems. */
import { clockTime, count, dateTime, formatDuration } from "../format.js";
import { StatusBadge } from "./icons.js";

interface Props {
  name: string;
  status: string;
  id: string;
  start: number;
  duration: number;
  live: boolean;
  /** Set when the session never ended and is not followed live: the last time recorded in it. */
  lastSeen: number | undefined;
  stats: { calls: number; running: number; failed: number };
  /** Set while calls are still loading. */
  progress: { loaded: number; total: number } | undefined;
  warnings: readonly unknown[];
  failure: string | undefined;
}

export function SessionHeader({
  name,
  status,
  id,
  start,
  duration,
  live,
  lastSeen,
  stats,
  progress,
  warnings,
  failure,
}: Props) {
  return (
    <div class="session-head">
      <div class="session-title">
        <h1>{name}</h1>
        <StatusBadge status={status} />
        {live && (
          <span class="live" title="Following the session as it runs">
            <span class="live-dot" />
            live
          </span>
        )}
      </div>
      <div class="session-facts">
        <span class="mono muted">{id}</span>
        <span>{dateTime(start)}</span>
        {lastSeen === undefined ? (
          <span>
            <span class="muted">duration</span> {formatDuration(duration)}
          </span>
        ) : (
          <>
            <span title="It never ended: at least until the last time seen">
              <span class="muted">duration</span> ≥ {formatDuration(duration)}
            </span>
            <span class="fact-last-seen" title="The latest time recorded in the session's file">
              <span class="muted">last seen</span> {clockTime(lastSeen)}
            </span>
          </>
        )}
        <span>
          <span class="muted">calls</span> {count(stats.calls)}
        </span>
        {stats.running > 0 && (
          <span class={live ? "fact-running" : undefined}>
            <span class="muted">{live ? "running" : "unfinished"}</span> {count(stats.running)}
          </span>
        )}
        <span class={stats.failed > 0 ? "fact-failed" : undefined}>
          <span class="muted">failed</span> {count(stats.failed)}
        </span>
        {progress && (
          <span class="loading-calls" role="status">
            loading {count(progress.loaded)} / {count(progress.total)}
            <span class="progress">
              <span style={{ width: `${(100 * progress.loaded) / Math.max(1, progress.total)}%` }} />
            </span>
          </span>
        )}
      </div>
      {warnings.length > 0 && (
        <details class="warnings">
          <summary>
            {warnings.length} {warnings.length === 1 ? "problem" : "problems"} reading this session
          </summary>
          <ul>
            {warnings.map((warning, i) => (
              <li key={i}>{String(warning)}</li>
            ))}
          </ul>
        </details>
      )}
      {failure && <div class="banner banner-error">{failure}</div>}
    </div>
  );
}
