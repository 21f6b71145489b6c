import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AttemptMarks } from "./attempt-marks.js";
import type { AttemptReport } from "./protocol.js";

/** A client that keeps what `writeReport` sends (the command `defineReportCommand` adds). */
function recordingClient(): { redis: Redis; written: { key: string; report: AttemptReport }[] } {
  const written: { key: string; report: AttemptReport }[] = [];
  const redis = {
    runtraceWriteReport(key: string, _field: string, report: string) {
      written.push({ key, report: JSON.parse(report) as AttemptReport });
      return Promise.resolve(1);
    },
  } as unknown as Redis;
  return { redis, written };
}

const attempt = (n: number): AttemptReport => ({
  attempt: n,
  host: "worker-1",
  pid: 42,
  start: Date.now(),
  status: "running",
});
// Fake timers (and clock): what a loaded machine does to real ones would decide the test.
const pause = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe("AttemptMarks", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes nothing for attempts that end sooner, and marks each longer one once, as running", async () => {
    const { redis, written } = recordingClient();
    const marks = new AttemptMarks(redis, 30);
    const quick = attempt(1);
    const slow = attempt(2);
    const later = attempt(3);
    marks.started(quick, "k1");
    marks.started(slow, "k2");
    await pause(5);
    expect(marks.ended(quick)).toBe(false);
    await pause(45);
    marks.started(later, "k3");
    expect(written.map((w) => [w.key, w.report.attempt, w.report.status, w.report.pid])).toEqual([
      ["k2", 2, "running", 42],
    ]);
    await pause(60);
    expect(written.map((w) => w.key)).toEqual(["k2", "k3"]);
    expect(marks.ended(slow)).toBe(true);
    expect(marks.ended(later)).toBe(true);
    await pause(40);
    expect(written).toHaveLength(2);
  });
});
