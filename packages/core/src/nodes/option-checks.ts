import { describeValue, InvalidOptionsError } from "../errors.js";

// Checks of the numeric options that definitions, calls, sessions, flows and clients share. They
// live with the definitions, the lowest layer that checks options, so that every layer above can
// use them and the messages read the same everywhere.

/** Throws `InvalidOptionsError` unless `value` is an integer >= 1. */
export function expectPositiveInteger(
  where: string,
  option: string,
  value: unknown,
  meaning: string,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new InvalidOptionsError(
      `${where}: expected \`${option}\` to be a positive integer (${meaning}), got ${describeValue(value)}.`,
    );
  }
  return value;
}

/** Throws `InvalidOptionsError` unless `value` is a finite number >= 0 (or > 0 when `positive`). */
export function expectDuration(where: string, option: string, value: unknown, positive = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new InvalidOptionsError(
      `${where}: expected \`${option}\` to be a ${positive ? "positive" : "non-negative"} number of milliseconds, got ${describeValue(value)}.`,
    );
  }
  return value;
}
