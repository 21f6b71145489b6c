/**
 * A duration as runtrace shows it everywhere (terminal tree, `runtrace ls`, the viewer): `0.42 ms`,
 * `12.3 ms`, `120 ms`, `1.25 s`, `2 m 5 s`, `3 h 12 m`. Anything that is not a finite duration (a
 * damaged stored value) shows as `–`.
 */
export function formatDuration(ms: number): string {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0 ? `${hours} h ${minutes} m` : `${minutes} m ${seconds} s`;
}
