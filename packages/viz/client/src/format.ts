/** Small text formatters for times, counts and values shown in the app. */

export { formatDuration } from "@runtrace/core/browser";

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** `14:03:07.123` in local time. */
export function clockTime(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs <= 0) return "–";
  const date = new Date(epochMs);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** `2026-11-22 14:03:07` in local time. */
export function dateTime(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs <= 0) return "–";
  const date = new Date(epochMs);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "3 minutes ago", "yesterday": a rough age for the sessions list. */
export function age(epochMs: number, now: number): string {
  const seconds = Math.round((now - epochMs) / 1000);
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/** 12345 → "12,345". */
export function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–";
}

/** A value as pretty JSON text for copying (never throws). */
export function jsonText(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
