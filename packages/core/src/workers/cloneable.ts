import { serialize } from "node:v8";
import { describeValue, ValidationError } from "../errors.js";

/**
 * Values cross to and from worker threads as `v8.serialize` bytes: the structured clone that
 * `postMessage` uses, done here so that a value that cannot cross fails at once, named, before any
 * thread is asked to run anything. The bytes then move to the other thread without another copy.
 */

/** What structured clone takes, for the messages that name what it refused. */
const CLONEABLE =
  "structured clone copies data (objects, arrays, strings, numbers, Dates, Maps, Sets, typed arrays, Errors), not functions, symbols, promises, streams or sockets";

// How far the search for the part that could not be copied looks: it only runs once copying failed.
const MAX_DEPTH = 8;
const MAX_ENTRIES = 200;

/** The part of `value` that structured clone refuses, with its path (`args[0].onProgress`). */
export interface Uncloneable {
  path: string;
  value: unknown;
}

function entriesOf(value: object): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.slice(0, MAX_ENTRIES).map((item, i) => [`[${i}]`, item]);
  if (value instanceof Map)
    return [...value].slice(0, MAX_ENTRIES).map(([key, item]) => [`.get(${String(key)})`, item]);
  if (value instanceof Set) return [...value].slice(0, MAX_ENTRIES).map((item, i) => [`{${i}}`, item]);
  return Object.entries(value)
    .slice(0, MAX_ENTRIES)
    .map(([key, item]) => [/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`, item]);
}

function cloneable(value: unknown): boolean {
  try {
    serialize(value);
    return true;
  } catch {
    return false;
  }
}

/** The deepest part of `value` that cannot be copied, or `undefined` when all of it can. */
export function findUncloneable(
  value: unknown,
  path: string,
  depth = 0,
  seen = new Set<object>(),
): Uncloneable | undefined {
  if (typeof value === "function" || typeof value === "symbol") return { path, value };
  if (typeof value !== "object" || value === null || seen.has(value)) return undefined;
  seen.add(value);
  if (depth < MAX_DEPTH) {
    try {
      for (const [key, item] of entriesOf(value)) {
        const found = findUncloneable(item, `${path}${key}`, depth + 1, seen);
        if (found !== undefined) return found;
      }
    } catch {
      // A getter or Proxy that throws: the value itself is what cannot be copied.
    }
  }
  return cloneable(value) ? undefined : { path, value };
}

/** Says which part could not be copied: `function onProgress at \`args[0].onProgress\``. */
export function describeUncloneable(part: Uncloneable): string {
  return `${describeValue(part.value)} at \`${part.path}\``;
}

/**
 * The arguments as bytes for the worker; a `ValidationError` (not retried) naming the argument,
 * what it held and the fix when one of them cannot be copied.
 */
export function serializeArgs(node: string, args: readonly unknown[]): Uint8Array {
  try {
    return serialize(args);
  } catch (error) {
    for (const [index, arg] of args.entries()) {
      const part = findUncloneable(arg, `args[${index}]`);
      if (part === undefined) continue;
      throw new ValidationError(
        node,
        `args[${index}]`,
        `got ${describeUncloneable(part)}, which cannot be sent to a worker thread: ${CLONEABLE}. Pass plain data and make the rest (clients, callbacks) inside the worker's module.`,
        [error],
      );
    }
    throw new ValidationError(
      node,
      "args",
      `the arguments cannot be sent to a worker thread (${describeValue(error)}): ${CLONEABLE}.`,
      [error],
    );
  }
}

/** Why a result could not be sent back: for the error the worker answers with instead. */
export function uncloneableResult(node: string, value: unknown): string {
  const part = findUncloneable(value, "result") ?? { path: "result", value };
  return `Node "${node}" returned ${describeUncloneable(part)}, which cannot be sent back from its worker thread: ${CLONEABLE}. Return plain data.`;
}
