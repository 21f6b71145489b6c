/**
 * Tools shared by the benchmarks. Machines here are shared and noisy: every figure is the median of
 * several samples, and every target is a ratio against a baseline measured in the same run.
 */

/** One line of a benchmark's table. */
export interface Row {
  name: string;
  /** The median. */
  value: number;
  unit: string;
  /** This row's value divided by the baseline row's value (same run). */
  ratio?: number;
  /** What the ratio (or value) should be, in words: "≤ 2.0x floor". */
  target?: string;
  /** Whether the target was met, when there is one. */
  ok?: boolean;
  /** More about the row, printed in a last column (only tables with such rows have it). */
  note?: string;
}

/** What one benchmark module reports. */
export interface BenchResult {
  title: string;
  rows: Row[];
  notes?: string[];
}

/** A benchmark module's default export. */
export type Bench = () => Promise<BenchResult>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `sample` `count` times (after one warm-up) and returns the median. */
export async function medianOf(count: number, sample: () => Promise<number> | number): Promise<number> {
  await sample();
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(await sample());
  return median(values);
}

/** Nanoseconds per operation of `op`, run `n` times one after another. */
export async function nsPerOp(n: number, op: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await op(i);
  return Number(process.hrtime.bigint() - start) / n;
}

/** Forces a garbage collection when node runs with --expose-gc (the bench script passes it). */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function withRatio(row: Row, baseline: number, limit?: number, targetText?: string): Row {
  const ratio = row.value / baseline;
  const out: Row = { ...row, ratio };
  if (limit !== undefined) {
    out.target = targetText ?? `≤ ${limit}x`;
    out.ok = ratio <= limit;
  }
  return out;
}

function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString("en-US");
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The table a benchmark prints. */
export function renderTable(result: BenchResult): string {
  const notes = result.rows.some((row) => row.note !== undefined);
  const header = ["", "median", "unit", "ratio", "target", "", ...(notes ? [""] : [])];
  const body = result.rows.map((row) => [
    row.name,
    format(row.value),
    row.unit,
    row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}x`,
    row.target ?? "",
    row.ok === undefined ? "" : row.ok ? "met" : "MISSED",
    ...(notes ? [row.note ?? ""] : []),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((line) => line[i]!.length)));
  const last = header.length - 1;
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === 0 || (notes && i === last) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!),
      )
      .join("  ")
      .trimEnd();
  const lines = [`## ${result.title}`, line(header), ...body.map(line)];
  for (const note of result.notes ?? []) lines.push(`  ${note}`);
  return lines.join("\n");
}
