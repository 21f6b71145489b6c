import { describe, expect, test } from "vitest";
import { formatDuration } from "../../../packages/viz/client/src/format.js";
import {
  axisLabels,
  bar,
  formatOffset,
  fraction,
  niceStep,
  ticks,
  timeScale,
  withOpenEnd,
} from "../../../packages/viz/client/src/timeline/scale.js";

describe("time scale", () => {
  const scale = timeScale(1000, 1200);

  test("a bar is the call's start offset and duration as fractions of the session", () => {
    expect(bar(scale, 1000, 1200)).toEqual({ left: 0, width: 1 });
    expect(bar(scale, 1050, 1100)).toEqual({ left: 0.25, width: 0.25 });
  });

  test("sequential calls sit end to start, not on top of each other", () => {
    const first = bar(scale, 1000, 1100);
    const second = bar(scale, 1100, 1200);
    expect(first.left + first.width).toBeCloseTo(second.left);
  });

  test("bars are clamped to the scale; a call ending before it starts has no width", () => {
    expect(bar(scale, 900, 1300)).toEqual({ left: 0, width: 1 });
    expect(bar(scale, 1100, 1050)).toEqual({ left: 0.5, width: 0 });
    expect(fraction(scale, 1300)).toBe(1);
  });

  test("a zero-length or broken session still has a span", () => {
    const empty = timeScale(5, 5);
    expect(empty.end).toBeGreaterThan(empty.start);
    expect(bar(empty, 5, 5).width).toBe(0);
    expect(timeScale(Number.NaN, Number.NaN).end).toBeGreaterThan(0);
  });

  test("ticks fall on round offsets at least the minimum gap apart", () => {
    const marks = ticks(timeScale(0, 1000), 800, 90);
    expect(marks.map((tick) => tick.label)).toEqual(["0", "200 ms", "400 ms", "600 ms", "800 ms", "1000 ms"]);
    expect(marks[1]!.at).toBeCloseTo(0.2);
    const long = ticks(timeScale(0, 150_000), 600, 90);
    expect(long.map((tick) => tick.label)).toEqual(["0", "50 s", "1 m 40 s", "2 m 30 s"]);
    expect(ticks(timeScale(0, 1000), 0)).toEqual([]);
  });

  test("nice steps are 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(0.13)).toBeCloseTo(0.2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(100)).toBe(100);
    expect(niceStep(0)).toBe(1);
  });

  test("tick labels use the unit of the step", () => {
    expect(formatOffset(0.5, 0.5)).toBe("0.5 ms");
    expect(formatOffset(1500, 500)).toBe("1500 ms");
    expect(formatOffset(2500, 500)).toBe("2500 ms");
    expect(formatOffset(3000, 1000)).toBe("3 s");
    expect(formatOffset(1500, 500)).toBe("1500 ms");
    expect(formatOffset(2500, 2500 / 5)).toBe("2500 ms");
    expect(formatOffset(0.25, 0.05)).toBe("0.25 ms");
    expect(formatOffset(90_000, 10_000)).toBe("1 m 30 s");
    expect(formatOffset(120_000, 60_000)).toBe("2 m");
  });

  test("durations read as in the terminal tree (core's formatDuration)", () => {
    expect(formatDuration(3_725_000)).toBe("1 h 2 m");
    expect(formatDuration(-1)).toBe("–");
  });
});

describe("axis labels", () => {
  const px = (label: string) => label.length * 7 + 6;
  const inside = (labels: ReturnType<typeof axisLabels>, width: number) =>
    labels.every((label) => {
      const x = label.at * width;
      return label.align === "end" ? x - px(label.label) >= 0 : x + px(label.label) <= width;
    });

  test("the label of a tick at the right edge is drawn to its left, inside the axis", () => {
    const width = 584;
    const labels = axisLabels(ticks(timeScale(0, 1000), width), width, px);
    expect(labels.map((label) => [label.label, label.align])).toEqual([
      ["0", "start"],
      ["200 ms", "start"],
      ["400 ms", "start"],
      ["600 ms", "start"],
      ["800 ms", "start"],
      ["1000 ms", "end"],
    ]);
    expect(inside(labels, width)).toBe(true);
  });

  test("an earlier label that the last one would cover is left out; the end keeps its label", () => {
    const marks = ticks(timeScale(0, 150_000), 600, 90);
    const labels = axisLabels(marks, 600, (label) => label.length * 14);
    expect(labels.at(-1)).toMatchObject({ label: "2 m 30 s", align: "end" });
    expect(labels.map((label) => label.label)).toEqual(["0", "50 s", "2 m 30 s"]);
    expect(inside(labels, 600)).toBe(true);
  });

  test("labels that fit stay on the right of their ticks", () => {
    const labels = axisLabels(ticks(timeScale(0, 950), 800, 90), 800, px);
    expect(labels.every((label) => label.align === "start")).toBe(true);
    expect(labels).toHaveLength(ticks(timeScale(0, 950), 800, 90).length);
  });
});

describe("open-ended calls", () => {
  test("the scale leaves room after the last time seen for their fading ends", () => {
    const open = withOpenEnd(timeScale(1000, 2000));
    expect(open.start).toBe(1000);
    expect(open.end).toBeCloseTo(2060);
    // An open call known up to the last time seen ends before the right edge.
    const known = bar(open, 1500, 2000);
    expect(known.left + known.width).toBeLessThan(0.95);
  });
});
