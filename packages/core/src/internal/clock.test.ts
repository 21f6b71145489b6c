import { describe, expect, it } from "vitest";
import { fromMicros, msText, now, toMicros } from "./clock.js";

describe("recorded times", () => {
  it("keep whole microseconds: a time read back from its microseconds is the same number", () => {
    const t = now();
    const micros = toMicros(t);
    expect(Number.isInteger(micros)).toBe(true);
    expect(toMicros(fromMicros(micros))).toBe(micros);
    expect(Math.abs(fromMicros(micros) - t)).toBeLessThanOrEqual(0.0005);
  });

  it("print as JSON.stringify prints them, recorded or not", () => {
    const samples: number[] = [0, 5, 5.123, 999.999, 1000, 1000.5, -1, Number.NaN, Number.POSITIVE_INFINITY];
    samples.push(2 ** 43, 2 ** 43 - 0.001, 8.5e15, now());
    for (let i = 0; i < 20_000; i++) {
      samples.push(fromMicros(Math.floor(Math.random() * 1e13) - 5e12)); // recorded times
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
