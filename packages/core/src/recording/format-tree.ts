import { describeValue, InvalidOptionsError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";
import { formatDuration } from "./duration.js";
import { printable } from "./printable.js";
import { failed } from "./status.js";
import type { CallTree } from "./tree.js";
import type { CallRecord } from "./types.js";

const FORMAT_OPTIONS = Object.keys({
  depth: true,
  color: true,
  errorsOnly: true,
} satisfies Record<keyof FormatTreeOptions, true>);

/** Options of `rt.formatTree`. */
export interface FormatTreeOptions {
  /** Show calls down to this depth (1 = top-level calls only). @default unlimited */
  depth?: number;
  /** ANSI colours. @default true when stdout is a terminal that has colours (and NO_COLOR is unset) */
  color?: boolean;
  /** Show only failed calls and the calls leading to them. @default false */
  errorsOnly?: boolean;
}

const MARKS: Record<string, string> = {
  ok: "✓",
  error: "✗",
  timeout: "⏱",
  cancelled: "⊘",
  skipped: "↷",
  running: "…",
  interrupted: "!",
};

const COLORS: Record<string, number> = {
  ok: 32,
  error: 31,
  timeout: 33,
  cancelled: 33,
  skipped: 90,
  running: 36,
  interrupted: 35,
};

function useColor(): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return process.stdout.isTTY === true && process.stdout.hasColors?.() === true;
}

/** Whether a record or anything below it failed (for `errorsOnly`). */
function hasFailure(record: CallRecord, memo: Map<CallRecord, boolean>): boolean {
  let known = memo.get(record);
  if (known === undefined) {
    known = failed(record.status) || record.children.some((child) => hasFailure(child, memo));
    memo.set(record, known);
  }
  return known;
}

/** A record's kind as the tree shows it: nothing for plain functions, a span's kind beside `span`. */
function kindText(record: CallRecord): string {
  if (record.kind === "function") return "";
  if (record.kind === "span") {
    const spanKind = record.attributes["span.kind"];
    return typeof spanKind === "string" ? `span ${spanKind}` : "span";
  }
  return record.kind;
}

function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The tree as text for a terminal: one line per call with its status mark, name, kind, duration
 * (or `running`), attempts and error message.
 *
 * @example
 * ```ts
 * console.log(rt.formatTree(session.tree, { depth: 3 }));
 * ```
 */
export function formatTree(tree: CallTree, options: FormatTreeOptions = {}): string {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `rt.formatTree expected options { depth?, color?, errorsOnly? }, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys("rt.formatTree", options, FORMAT_OPTIONS);
  const color = options.color ?? useColor();
  const paint = (code: number | undefined, text: string) =>
    color && code !== undefined ? `\x1b[${code}m${text}\x1b[0m` : text;
  const dim = (text: string) => paint(2, text);
  const maxDepth = options.depth ?? Number.POSITIVE_INFINITY;
  const memo = new Map<CallRecord, boolean>();
  const lines: string[] = [];

  const describe = (record: CallRecord): string => {
    const mark = paint(COLORS[record.status], MARKS[record.status] ?? "?");
    const shownKind = kindText(record);
    const kind = shownKind === "" ? "" : dim(` [${printable(shownKind)}]`);
    const took =
      record.end === undefined ? dim(" running") : dim(` ${formatDuration(record.end - record.start)}`);
    const attempts = record.attempts > 1 ? dim(` ×${record.attempts} attempts`) : "";
    const waited =
      record.waitMs !== undefined && record.waitMs >= 1
        ? dim(` (waited ${formatDuration(record.waitMs)})`)
        : "";
    const status =
      record.status === "ok" || record.status === "running"
        ? ""
        : ` ${paint(COLORS[record.status], printable(record.status))}`;
    const error = record.error
      ? paint(
          COLORS[record.status],
          ` ${printable(oneLine(`${record.error.name}: ${record.error.message}`))}`,
        )
      : "";
    return `${mark} ${printable(record.node)}${kind}${took}${attempts}${waited}${status}${error}`;
  };

  const root = tree.root;
  lines.push(`${describe(root)} ${dim(printable(root.sessionId))}`);
  const walk = (record: CallRecord, prefix: string, depth: number) => {
    const children = options.errorsOnly
      ? record.children.filter((child) => hasFailure(child, memo))
      : record.children;
    children.forEach((child, index) => {
      const last = index === children.length - 1;
      lines.push(`${prefix}${dim(last ? "└─ " : "├─ ")}${describe(child)}`);
      if (child.children.length === 0) return;
      if (depth >= maxDepth) {
        lines.push(`${prefix}${last ? "   " : dim("│  ")}${dim(`└─ … ${child.children.length} more below`)}`);
        return;
      }
      walk(child, prefix + (last ? "   " : dim("│  ")), depth + 1);
    });
  };
  walk(root, "", 1);
  return lines.join("\n");
}
