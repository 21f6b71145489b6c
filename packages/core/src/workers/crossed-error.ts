import { describeValue } from "../errors.js";
import { surelyCloneable } from "./cloneable.js";
import type { CrossedError } from "./task.js";

/**
 * Errors thrown in a worker thread cross back as plain data and are rebuilt on the caller's side,
 * so the caller's error has the worker's name, message and stack (where the work really failed),
 * and the fields retry policies and type guards read (`code`, `status`): structured clone alone
 * would keep only the built-in error types and drop every own field.
 */

const MAX_CAUSES = 4;

function fieldsOf(error: object): Record<string, unknown> | undefined {
  let fields: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(error)) {
    if (key === "cause" || key === "name" || key === "message" || key === "stack") continue;
    if (!surelyCloneable(value)) continue;
    fields ??= {};
    fields[key] = value;
  }
  return fields;
}

/** Worker side: what is thrown, as data that can cross. Never throws. */
export function crossError(error: unknown, depth = 0): CrossedError {
  try {
    if (!(error instanceof Error))
      return { name: "Error", message: `Non-error thrown: ${describeValue(error)}` };
    const crossed: CrossedError = { name: String(error.name), message: String(error.message) };
    if (typeof error.stack === "string") crossed.stack = error.stack;
    const fields = fieldsOf(error);
    if (fields !== undefined) crossed.fields = fields;
    if (error.cause !== undefined && depth < MAX_CAUSES) crossed.cause = crossError(error.cause, depth + 1);
    return crossed;
  } catch {
    return { name: "Error", message: "[an error that could not be read]" };
  }
}

/** Caller side: an `Error` with the worker's name, message, stack, fields and causes. */
export function rebuildError(crossed: CrossedError): Error {
  const error = new Error(
    crossed.message,
    crossed.cause === undefined ? undefined : { cause: rebuildError(crossed.cause) },
  );
  Object.defineProperty(error, "name", {
    value: crossed.name,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  if (crossed.stack !== undefined)
    Object.defineProperty(error, "stack", {
      value: crossed.stack,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  if (crossed.fields !== undefined) Object.assign(error, crossed.fields);
  return error;
}
