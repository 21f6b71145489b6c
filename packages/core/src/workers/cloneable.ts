import { deserialize, serialize } from "node:v8";
import { describeValue, ValidationError } from "../errors.js";

/**
 * Values cross to and from worker threads by structured clone. Whether a value can be cloned is
 * known before it is sent, so that the error names the argument (or the result) and the part at
 * fault, and nothing runs with half the arguments: a small value is walked (functions, symbols,
 * promises, weak collections, and objects holding them: clients, sockets, emitters hold functions)
 * and then sent as it is, cloned once by `postMessage`; a value too large to walk on every call is
 * serialized here with `v8.serialize`, which fails on what cannot be cloned, and its bytes are
 * moved to the other thread without a second copy.
 */

const CLONEABLE =
  "structured clone copies data (objects, arrays, strings, numbers, Dates, Maps, Sets, typed arrays, Errors), not functions, symbols, promises, streams or sockets";

/** Values the quick walk looks at, per argument or result: larger values are serialized instead. */
const QUICK_BUDGET = 2_000;
/** Values the full search looks at: it runs only once cloning failed. */
const FULL_BUDGET = 100_000;
const MAX_DEPTH = 16;

/** The part of a value that structured clone refuses, with its path (`args[0].onProgress`). */
export interface Uncloneable {
  path: string;
  value: unknown;
}

function refused(value: object): boolean {
  return (
    value instanceof Promise ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof WeakRef
  );
}

/** Leaves: cloned whole, or refused whole by the clone itself (the full search finds those). */
function opaque(value: object): boolean {
  return (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof Date ||
    value instanceof RegExp
  );
}

function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

class Walk {
  #left: number;
  readonly #seen = new Set<object>();
  readonly #confirm: boolean;
  /** False once the walk skipped something (out of budget, too deep): it proves nothing then. */
  complete = true;

  /** `confirm`: also try to clone each object, to find what the walk cannot see (the full search). */
  constructor(budget: number, confirm: boolean) {
    this.#left = budget;
    this.#confirm = confirm;
  }

  find(value: unknown, path: string, depth: number): Uncloneable | undefined {
    if (--this.#left < 0) {
      this.complete = false;
      return undefined;
    }
    if (typeof value === "function" || typeof value === "symbol") return { path, value };
    if (typeof value !== "object" || value === null || this.#seen.has(value)) return undefined;
    this.#seen.add(value);
    if (refused(value)) return { path, value };
    if (depth >= MAX_DEPTH) this.complete = false;
    else if (!opaque(value)) {
      try {
        const found = this.#children(value, path, depth + 1);
        if (found !== undefined) return found;
      } catch {
        // A getter or Proxy that throws: the value itself is what cannot be copied.
        return { path, value };
      }
    }
    if (!this.#confirm) return undefined;
    try {
      structuredClone(value);
      return undefined;
    } catch {
      return { path, value };
    }
  }

  #children(value: object, path: string, depth: number): Uncloneable | undefined {
    if (value instanceof Map) {
      for (const [k, item] of value) {
        const found =
          this.find(k, `${path}.keys()`, depth) ?? this.find(item, `${path}.get(${String(k)})`, depth);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (value instanceof Set) {
      for (const item of value) {
        const found = this.find(item, `${path}.values()`, depth);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const found = this.find(value[i], `${path}[${i}]`, depth);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    for (const name of Object.keys(value)) {
      const found = this.find((value as Record<string, unknown>)[name], `${path}${key(name)}`, depth);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** A value as it crosses: as it is (`postMessage` clones it), or as `v8.serialize` bytes. */
export type Packed = { value: unknown } | { bytes: Uint8Array };

/** Packs `value` to cross; `refuse` makes the error for the part that cannot be cloned. */
export function pack(value: unknown, path: string, refuse: (part: Uncloneable) => Error): Packed {
  const walk = new Walk(QUICK_BUDGET, false);
  const found = walk.find(value, path, 0);
  if (found !== undefined) throw refuse(found);
  if (walk.complete) return { value };
  try {
    return { bytes: serialize(value) };
  } catch {
    throw refuse(new Walk(FULL_BUDGET, true).find(value, path, 0) ?? { path, value });
  }
}

export function unpack(packed: Packed): unknown {
  return "bytes" in packed ? deserialize(packed.bytes) : packed.value;
}

/** The buffers of packed values, to move rather than copy (only buffers of their own, never a pool's slab). */
export function transferablesOf(packed: readonly Packed[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const item of packed) {
    if (!("bytes" in item)) continue;
    const { buffer, byteOffset, byteLength } = item.bytes;
    if (byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer)
      out.push(buffer);
  }
  return out;
}

/** True when `value` can be cloned as far as a quick look can tell (for optional data: error fields). */
export function surelyCloneable(value: unknown): boolean {
  const walk = new Walk(QUICK_BUDGET, false);
  return walk.find(value, "", 0) === undefined && walk.complete;
}

function describePart(part: Uncloneable): string {
  return `${describeValue(part.value)} at \`${part.path}\``;
}

/** The arguments, packed; a `ValidationError` (not retried) naming the one that cannot be sent, and the fix. */
export function packArgs(node: string, args: readonly unknown[]): Packed[] {
  return args.map((arg, index) =>
    pack(
      arg,
      `args[${index}]`,
      (part) =>
        new ValidationError(
          node,
          `args[${index}]`,
          `got ${describePart(part)}, which cannot be sent to a worker thread: ${CLONEABLE}. Pass plain data and make the rest (clients, callbacks) inside the worker's module.`,
          [],
        ),
    ),
  );
}

/** The result, packed; a `TypeError` naming the part that cannot be sent back. */
export function packResult(node: string, value: unknown): Packed {
  return pack(
    value,
    "result",
    (part) =>
      new TypeError(
        `Node "${node}" returned ${describePart(part)}, which cannot be sent back from its worker thread: ${CLONEABLE}. Return plain data.`,
      ),
  );
}
