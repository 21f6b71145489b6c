/**
 * The timeline's time scale: where a call's bar starts and how wide it is, as fractions of the
 * session's span, plus tick marks at round times. Pure, no DOM.
 */

export interface TimeScale {
  /** Epoch ms at the left edge (the session's start). */
  readonly start: number;
  /** Epoch ms at the right edge (its end, or now while it runs). */
  readonly end: number;
}

/** The shortest span a scale covers, so a session of zero length still draws. */
const MIN_SPAN_MS = 0.001;

export function timeScale(start: number, end: number): TimeScale {
  const safeStart = Number.isFinite(start) ? start : 0;
  const safeEnd = Number.isFinite(end) ? end : safeStart;
  return { start: safeStart, end: Math.max(safeEnd, safeStart + MIN_SPAN_MS) };
}

export function span(scale: TimeScale): number {
  return scale.end - scale.start;
}

/**
 * The scale with room after its end (`share` of its span) for the fading ends of open-ended calls,
 * which are known only up to the scale's end (the last time seen).
 */
export function withOpenEnd(scale: TimeScale, share = 0.06): TimeScale {
  return { start: scale.start, end: scale.end + span(scale) * share };
}

export interface Bar {
  /** Offset of the bar's start, 0..1 of the scale. */
  left: number;
  /** Width, 0..1 of the scale (at least 0, never past the right edge). */
  width: number;
}

/** The bar of a call from `start` to `end` (epoch ms). */
export function bar(scale: TimeScale, start: number, end: number): Bar {
  const total = span(scale);
  const left = clamp01((start - scale.start) / total);
  const right = clamp01((Math.max(end, start) - scale.start) / total);
  return { left, width: Math.max(0, right - left) };
}

/** Fraction of the scale at epoch ms `time`. */
export function fraction(scale: TimeScale, time: number): number {
  return clamp01((time - scale.start) / span(scale));
}

function clamp01(value: number): number {
  return value > 0 ? Math.min(value, 1) : 0;
}

export interface Tick {
  /** 0..1 of the scale. */
  at: number;
  /** Offset from the scale's start, in ms. */
  offsetMs: number;
  label: string;
}

/**
 * Tick marks at round offsets (1, 2 or 5 × a power of ten ms) so that neighbours are at least
 * `minGapPx` apart on a timeline `widthPx` wide.
 */
export function ticks(scale: TimeScale, widthPx: number, minGapPx = 90): Tick[] {
  const total = span(scale);
  if (!(widthPx > 0)) return [];
  const step = niceStep((total * minGapPx) / widthPx);
  const out: Tick[] = [];
  for (let offset = 0; offset <= total + step * 1e-9; offset += step) {
    out.push({ at: offset / total, offsetMs: offset, label: formatOffset(offset, step) });
    if (out.length > 1000) break;
  }
  return out;
}

/** A tick's label on the axis, and on which side of its tick it is drawn. */
export interface AxisLabel extends Tick {
  /** `start`: from the tick rightwards; `end`: leftwards up to the tick (near the right edge). */
  align: "start" | "end";
}

/**
 * The tick labels an axis `widthPx` wide shows, none past its edges or on a neighbour: a label
 * that would run past the right edge is drawn to the left of its tick, and an earlier label it
 * would then cover is left out (its gridline stays). `labelPx` is a label's width in px.
 */
export function axisLabels(
  marks: readonly Tick[],
  widthPx: number,
  labelPx: (label: string) => number,
  gapPx = 6,
): AxisLabel[] {
  const out: AxisLabel[] = [];
  // From the right, so the end of the axis (the session's length) keeps its label.
  let limit = Number.POSITIVE_INFINITY;
  for (let i = marks.length - 1; i >= 0; i--) {
    const tick = marks[i]!;
    const x = tick.at * widthPx;
    const width = labelPx(tick.label);
    const align = x + width > widthPx ? "end" : "start";
    const from = align === "end" ? x - width : x;
    const to = align === "end" ? x : x + width;
    if (from < 0 || to + gapPx > limit) continue;
    out.push({ ...tick, align });
    limit = from;
  }
  return out.reverse();
}

/** The smallest 1/2/5 × 10^k that is at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= raw * (1 - 1e-9)) return factor * power;
  }
  return 10 * power;
}

/** A tick label: the offset in the unit that suits the step ("0", "250 ms", "1.5 s", "2 m 30 s"). */
export function formatOffset(offsetMs: number, stepMs: number): string {
  if (offsetMs === 0) return "0";
  if (stepMs < 1000) {
    const decimals = Math.max(0, -Math.floor(Math.log10(stepMs) + 1e-9));
    return `${offsetMs.toFixed(decimals)} ms`;
  }
  if (stepMs < 60_000) {
    const seconds = offsetMs / 1000;
    const decimals = Math.max(0, -Math.floor(Math.log10(stepMs / 1000) + 1e-9));
    if (seconds < 60) return `${seconds.toFixed(decimals)} s`;
  }
  const totalSeconds = Math.round(offsetMs / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return seconds === 0 ? `${minutes} m` : `${minutes} m ${seconds} s`;
}
