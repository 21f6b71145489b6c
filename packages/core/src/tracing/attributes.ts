import type { Attributes, AttributeValue } from "@opentelemetry/api";
import { isObject } from "../internal/safe.js";

/** How deep objects are flattened into dotted keys before the rest becomes JSON text. */
const MAX_DEPTH = 3;
/** How many attributes one value may become; a bigger object is kept whole, as JSON text. */
const MAX_LEAVES = 32;

function homogeneous(values: unknown[]): AttributeValue | undefined {
  if (values.length === 0) return [] as string[];
  const type = typeof values[0];
  if (type !== "string" && type !== "number" && type !== "boolean") return undefined;
  for (const value of values) if (typeof value !== type) return undefined;
  return values as AttributeValue;
}

/** JSON text that never throws (recorded values are JSON-safe already; this is a second guard). */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** One value as an attribute value: primitives as they are, uniform arrays as arrays, else JSON. */
function leaf(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return value;
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "bigint":
      return value.toString();
  }
  if (value === null) return undefined;
  if (Array.isArray(value)) return homogeneous(value) ?? jsonText(value);
  return jsonText(value);
}

function countLeaves(value: Record<string, unknown>, depth: number, budget: number): number {
  let count = 0;
  for (const key in value) {
    const inner = value[key];
    const nested = depth < MAX_DEPTH && isObject(inner);
    count += nested ? countLeaves(inner, depth + 1, budget - count) : 1;
    if (count > budget) return count;
  }
  return count;
}

function addFlat(out: Attributes, key: string, value: unknown, depth: number): void {
  if (depth < MAX_DEPTH && isObject(value)) {
    for (const inner in value) addFlat(out, `${key}.${inner}`, value[inner], depth + 1);
    return;
  }
  const attribute = leaf(value);
  if (attribute !== undefined) out[key] = attribute;
}

/**
 * Adds `values` (recorded attributes or event data: already redacted and cut) to `out` as span
 * attributes. Nested objects become dotted keys (`usage.input_tokens`), three levels below the key; an
 * object that would make more than 32 attributes stays one attribute holding its JSON text. `null`
 * and `undefined` are left out (OpenTelemetry has no null attribute), and so is a key `__proto__`.
 */
export function addAttributes(out: Attributes, values: Record<string, unknown>): Attributes {
  for (const key in values) {
    // The OpenTelemetry SDK stores attributes by plain assignment: one named "__proto__" would
    // become the prototype of the span's attributes. The record keeps it; spans and exports go without.
    if (key === "__proto__") continue;
    const value = values[key];
    if (isObject(value) && countLeaves(value, 1, MAX_LEAVES) > MAX_LEAVES) {
      out[key] = jsonText(value);
    } else {
      addFlat(out, key, value, 0);
    }
  }
  return out;
}

/** Whether an object has any own enumerable key (without allocating a key array). */
export function hasKeys(values: Record<string, unknown>): boolean {
  for (const _ in values) return true;
  return false;
}
