import { formatDuration, type SessionSummary } from "@runtrace/core";
import { SessionSource } from "../../load/sessions.js";
import { safeLine } from "../../safe-text.js";

const pad2 = (n: number) => String(n).padStart(2, "0");

/** Local time as `2026-11-22 17:37:41`. */
export function formatStart(ms: number): string {
  if (ms <= 0) return "-";
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function duration(summary: SessionSummary): string {
  if (summary.end !== undefined) return formatDuration(summary.end - summary.start);
  return summary.status === "running" ? "running" : "-";
}

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: string[], rows: string[][], right: Set<number>): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The lines `runtrace ls` prints for these sessions. */
export function formatSessions(sessions: SessionSummary[]): string[] {
  const header = ["ID", "NAME", "STATUS", "START", "DURATION", "CALLS", "ERRORS"];
  const rows = sessions.map((s) => [
    safeLine(s.id),
    safeLine(s.name),
    safeLine(s.status),
    formatStart(s.start),
    duration(s),
    String(s.calls),
    String(s.errors),
  ]);
  const lines = table(header, rows, new Set([5, 6]));
  const out = [lines[0]!];
  sessions.forEach((s, i) => {
    out.push(lines[i + 1]!);
    if (s.problem !== undefined) out.push(`  ! ${safeLine(oneLine(s.problem))}`);
  });
  return out;
}

/** `runtrace ls [--dir]`: a table of the sessions, newest first. */
export async function ls(dir: string): Promise<void> {
  const source = new SessionSource({ dir });
  const sessions = await source.list();
  if (sessions.length === 0) {
    process.stdout.write(
      `No sessions in ${safeLine(source.dir)}. Record one with rt.session(...), or pass --dir (or set RUNTRACE_DIR) to where they are.\n`,
    );
    return;
  }
  process.stdout.write(`${formatSessions(sessions).join("\n")}\n`);
}
