import { types } from "node:util";
import { textOf } from "../internal/safe.js";

/*
 * Reading user values that may fight back: getters and Proxy traps that throw, `toString` that
 * throws or is missing, lengths that are not numbers. Nothing here throws.
 */

/**
 * Returned by {@link read} when a getter threw. The error waits in `lastThrown` until
 * {@link takeThrown} records it, which the walk does before it reads anything else.
 */
export const THROWN: unique symbol = Symbol("thrown");
let lastThrown: unknown;

/** The error behind the last THROWN, let go of once taken. */
export function takeThrown(): unknown {
  const error = lastThrown;
  lastThrown = undefined;
  return error;
}

/** `target[key]`, or THROWN when a getter or a Proxy trap throws. */
export function read(target: any, key: PropertyKey): unknown {
  try {
    return target[key];
  } catch (error) {
    lastThrown = error;
    return THROWN;
  }
}

/** String(value), for values whose toString may throw or be missing (null-prototype objects). */
export function text(value: unknown): string {
  return textOf(value, "[unprintable]");
}

/** The marker recorded in place of what could not be read. */
export const thrownText = (error: unknown): string => `[Thrown: ${text(error)}]`;

/** An array's length; a Proxy may report anything, and only a whole number counts. */
export function arrayLength(array: unknown[]): number {
  const length = array.length;
  return Number.isSafeInteger(length) && length > 0 ? length : 0;
}

/** `value.constructor.name`, read safely: THROWN when a getter threw, undefined when there is none. */
export function constructorName(value: object): unknown {
  const ctor = read(value, "constructor");
  if (typeof ctor === "function") return read(ctor, "name");
  return ctor === THROWN ? THROWN : undefined;
}

/** Whether a thrown object is recorded as an error (name, message, ...) rather than as a value. */
export function isErrorLike(value: object): boolean {
  try {
    return types.isNativeError(value) || value instanceof Error || "message" in value;
  } catch {
    // A Proxy whose traps throw: record what can be read of it, field by field.
    return true;
  }
}
