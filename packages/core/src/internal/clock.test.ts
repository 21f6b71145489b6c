import { describe, expect, it } from "vitest";
import { LiveRecord, RecordClock } from "../recording/record.js";
import { msText, now } from "./clock.js";

const clock = new RecordClock("s", Math.round(now() * 1000));
/** A time as a record keeps it, `offset` ms from its clock's base. */
function recorded(offset: number): number {
  const record = new LiveRecord(1, null, clock, "n", "function", clock.base / 1000 + offset, []);
  record.end = record.start + Math.abs(offset) / 7;
  return Math.random() < 0.5 ? record.start : record.end!;
}

describe("recorded times", () => {
  it("print as JSON.stringify prints them, recorded or not", () => {
    const samples: number[] = [0, 5, 5.123, 999.999, 1000, 1000.5, -1, Number.NaN, Number.POSITIVE_INFINITY];
    samples.push(2 ** 43, 2 ** 43 - 0.001, 8.5e15, now());
    for (let i = 0; i < 20_000; i++) {
      samples.push(recorded(Math.random() * 1e10 - 5e9)); // recorded times
      samples.push(Math.round(Math.random() * 2 ** 43 * 1000) / 1000); // any whole microseconds
      samples.push(Math.random() * 1e13); // anything else
    }
    for (const ms of [
      1795369671144, 1795369671144.1, 1795369671144.12, 1795369671144.001, 1795369671144.01,
    ]) {
      samples.push(ms);
    }
    const differ = samples.filter((ms) => msText(ms) !== JSON.stringify(ms));
    expect(differ).toEqual([]);
  });
});
