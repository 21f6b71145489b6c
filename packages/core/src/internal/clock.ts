import { performance } from "node:perf_hooks";

// performance.now() is monotonic and sub-millisecond; adding timeOrigin once gives epoch
// milliseconds that keep that precision (Date.now() only has whole milliseconds). Imported from
// node:perf_hooks: the global `performance` is a lazy getter, read on every call otherwise.
const origin = performance.timeOrigin;
const monotonic = performance.now.bind(performance);

/** Epoch milliseconds with sub-millisecond precision. */
export function now(): number {
  return origin + monotonic();
}

// The seconds part of the last time printed: it changes once a second.
let lastSeconds = -1;
let lastSecondsText = "";

function threeDigits(n: number): string {
  return n >= 100 ? String(n) : n >= 10 ? `0${n}` : `00${n}`;
}

/**
 * Epoch milliseconds as JSON text, the same text as `JSON.stringify(ms)`. Writing a session prints
 * two times per call, and V8 prints a fractional number of this size in about 300 ns: a time of
 * whole microseconds (every recorded one) is printed here from small integers in about 60.
 */
export function msText(ms: number): string {
  const micros = Math.round(ms * 1000);
  // Whole microseconds from one second (no leading zeros below) to 2^43 ms, the year 2248 (the
  // text is the shortest that reads back as the same number while numbers that far apart differ
  // by less than a thousandth): anything else as JSON.stringify prints it.
  if (micros / 1000 !== ms || micros < 1e6 || ms >= 2 ** 43) return JSON.stringify(ms);
  const seconds = Math.floor(micros / 1e6);
  if (seconds !== lastSeconds) {
    lastSeconds = seconds;
    lastSecondsText = String(seconds);
  }
  const inSecond = micros - seconds * 1e6;
  const millis = Math.floor(inSecond / 1000);
  const fraction = inSecond - millis * 1000;
  const whole = lastSecondsText + threeDigits(millis);
  if (fraction === 0) return whole;
  const digits = threeDigits(fraction);
  return `${whole}.${fraction % 100 === 0 ? digits.slice(0, 1) : fraction % 10 === 0 ? digits.slice(0, 2) : digits}`;
}
