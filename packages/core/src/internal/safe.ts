/**
 * Reading values that user code hands to runtrace (results, thrown values, cancel reasons) without
 * letting them throw into runtrace: a Proxy's traps, a revoked Proxy, a getter or a
 * `Symbol.toPrimitive` may throw on any touch.
 */

/** An object that is not an array (a JSON object, a record's attributes). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets `out[key]`, keeping a key "__proto__" a plain key (a plain store of it sets the prototype). */
export function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else out[key] = value;
}

/** `value instanceof type`, and `false` where asking throws (a Proxy's `getPrototypeOf` trap). */
export function isInstance(value: unknown, type: abstract new (...args: never[]) => unknown): boolean {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

/** `value[key]`, or `undefined` where reading it throws. */
export function readProperty(value: unknown, key: PropertyKey): unknown {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** An error's message, or any other value as text; `fallback` where both throw. */
export function textOf(value: unknown, fallback = "[unreadable value]"): string {
  try {
    if (value instanceof Error) return String(value.message);
    return typeof value === "string" ? value : String(value);
  } catch {
    return fallback;
  }
}

/** What a model or a client is told of an error: `Name: message` (just the message for a plain Error). */
export function errorText(error: unknown): string {
  try {
    if (error instanceof Error)
      return error.name === "Error" ? error.message : `${error.name}: ${error.message}`;
  } catch {
    // A hostile error (a Proxy, a throwing getter): its text is what can be read.
  }
  return textOf(error);
}
