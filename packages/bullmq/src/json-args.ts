import { RemoteArgumentError } from "./errors.js";

/**
 * A remote call's arguments travel as JSON. What JSON would drop or change silently (a function, a
 * Map, a class instance, NaN) or cannot write at all (a bigint, a cycle) is refused before anything
 * is queued, naming the argument and where in it the problem is.
 */
export function checkArguments(node: string, args: readonly unknown[]): void {
  args.forEach((arg, index) => {
    const problem = problemIn(arg, `args[${index}]`, new Set());
    if (problem !== undefined) {
      throw new RemoteArgumentError(
        `Remote node "${node}": argument ${index} cannot be sent as JSON: ${problem}. ` +
          "Pass plain data (strings, numbers, booleans, null, arrays, plain objects), or convert it first.",
      );
    }
  });
}

function problemIn(value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is ${value} (JSON writes it as null)`;
    case "bigint":
      return `${path} is a bigint (${value}n)`;
    case "function":
      return `${path} is a function (${value.name || "anonymous"})`;
    case "symbol":
      return `${path} is a symbol`;
  }
  if (value === null) return undefined;
  const object = value as object;
  if (seen.has(object)) return `${path} refers back to itself (a cycle)`;
  // Dates and other values with toJSON say themselves how they travel.
  if (typeof (object as { toJSON?: unknown }).toJSON === "function") return undefined;
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        const problem = problemIn(object[i], `${path}[${i}]`, seen);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (proto as { constructor?: { name?: string } }).constructor?.name || "object";
      return `${path} is a ${kind} (JSON keeps only plain objects and arrays)`;
    }
    for (const [key, item] of Object.entries(object)) {
      const problem = problemIn(item, `${path}.${key}`, seen);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    seen.delete(object);
  }
}
