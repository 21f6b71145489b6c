import { types } from "node:util";
import { setKey } from "../internal/safe.js";
import {
  binary,
  builtinKind,
  collectionIterator,
  collectionSize,
  dateText,
  num,
  regexpText,
  unbox,
} from "./builtins.js";
import { bytesBeforeSecret, cutString, REDACT_OVERLAP } from "./cut-text.js";
import { ownKeys } from "./own-keys.js";
import { defaultRedactor, type Redactor } from "./redact.js";
import {
  arrayLength,
  constructorName,
  isErrorLike,
  read,
  THROWN,
  takeThrown,
  text,
  thrownText,
} from "./safe-read.js";
import type { RecordedError } from "./types.js";

/** Size limits for one recorded value. Every cut leaves a visible marker in the record. */
export interface PayloadLimits {
  /** Approximate budget in bytes for one recorded value (input or output) as JSON. @default 65536 */
  maxPayloadBytes: number;
  /** Strings longer than this keep their head and get a marker. @default 8192 */
  maxStringLength: number;
  /** Arrays (and Map/Set entries) beyond this many items are cut with a marker item. @default 100 */
  maxArrayLength: number;
  /** Nesting deeper than this is replaced by a short description. @default 10 */
  maxDepth: number;
}

/** The limits used when none are configured. */
export const DEFAULT_LIMITS: Readonly<PayloadLimits> = Object.freeze({
  maxPayloadBytes: 65536,
  maxStringLength: 8192,
  maxArrayLength: 100,
  maxDepth: 10,
});

/** How {@link sanitize} and {@link sanitizeError} copy a value: size limits and secret redaction. */
export interface SanitizeOptions {
  limits: PayloadLimits;
  redactor: Redactor;
}

/** {@link DEFAULT_LIMITS} with {@link defaultRedactor}. */
export const DEFAULT_SANITIZE: SanitizeOptions = Object.freeze({
  limits: DEFAULT_LIMITS,
  redactor: defaultRedactor,
});

/** What a record says when even describing a failure failed (the stack ran out, say). */
const UNRECORDABLE = "[unrecordable]";

/** Rough JSON cost of a primitive or a key beyond its characters: quotes, comma, colon, digits. */
const ITEM_COST = 8;
/**
 * One walk's state. Instances are pooled, so a steady stream of calls allocates nothing beyond the
 * copies; a walk started from inside another one (a getter or toJSON calling sanitize) gets its own.
 */
class Walker {
  bytes = 0;
  /** Past the budget, cut markers still cost bytes; past this, containers collapse to one marker. */
  ceiling = 0;
  limits: PayloadLimits = DEFAULT_LIMITS;
  redactor: Redactor = defaultRedactor;
  /** The objects on the current path: only ancestors make a cycle, not the same object in siblings. */
  readonly path: object[] = [];

  walk(value: unknown, depth: number): unknown {
    if (this.bytes > this.limits.maxPayloadBytes) return this.cut("");
    if (typeof value === "string") return this.string(value);
    if (typeof value === "object" && value !== null) {
      // Whatever one value throws (a trap, a getter, a lying prototype) becomes a marker in its
      // place; the rest of the record is kept.
      const depthOfPath = this.path.length;
      try {
        return this.object(value, depth);
      } catch (error) {
        this.path.length = depthOfPath;
        return this.string(thrownText(error));
      }
    }
    if (typeof value === "bigint") return this.string(`${value}n`);
    if (typeof value === "symbol")
      return this.string(value === THROWN ? thrownText(takeThrown()) : value.toString());
    if (typeof value === "function") return this.string(`[Function ${this.name(read(value, "name"))}]`);
    this.bytes += ITEM_COST;
    return typeof value === "number" ? num(value) : value;
  }

  /** A function's or constructor's name as a label: "(anonymous)", or a marker when it threw. */
  name(name: unknown): string {
    if (name === THROWN) return thrownText(takeThrown());
    return typeof name === "string" && name ? name : "(anonymous)";
  }

  leaf(s: string): string {
    this.bytes += s.length + ITEM_COST;
    return s;
  }

  cut(rest: string): string {
    return this.leaf(`[cut: over ${this.limits.maxPayloadBytes} bytes${rest}]`);
  }

  string(s: string): string {
    // One string may not take more than what is left of the budget either.
    const room = Math.max(this.limits.maxPayloadBytes - this.bytes, 32);
    const limit = Math.min(this.limits.maxStringLength, room);
    if (s.length <= limit) return this.leaf(this.redactor.redactString(s));
    return this.leaf(cutString(s, limit, this.redactor));
  }

  /** Whether a value under this key is a secret; a key too long to be a name is judged by its ends. */
  secretKey(key: string): boolean {
    const redactor = this.redactor;
    if (key.length <= this.limits.maxStringLength) return redactor.isSecretKey(key);
    return (
      redactor.isSecretKey(key.slice(0, REDACT_OVERLAP)) || redactor.isSecretKey(key.slice(-REDACT_OVERLAP))
    );
  }

  object(value: object, depth: number): unknown {
    const isArray = Array.isArray(value);
    const proto = isArray ? Object.prototype : Object.getPrototypeOf(value);
    // A plain object with toJSON is rare, so it shares the slower path of the special types.
    const special = (proto !== Object.prototype && proto !== null) || (!isArray && "toJSON" in value);
    if (special) return this.special(value, depth);
    if (depth > this.limits.maxDepth)
      return this.leaf(isArray ? `[Array(${arrayLength(value)})]` : "[Object]");
    return this.enter(value, depth, isArray ? "array" : "object");
  }

  /** Leaf types first (no depth or cycle concerns), then containers. */
  special(value: object, depth: number): unknown {
    const builtin = builtinKind(value);
    if (builtin === "date") return this.leaf(dateText(value as Date));
    if (builtin === "regexp") return this.string(regexpText(value as RegExp));
    if (builtin === "binary") {
      this.bytes += 24 * ITEM_COST; // the fields, and up to 16 preview numbers or 64 hex digits
      return binary(value as ArrayBufferView, {
        shown: (bytes, count) => bytesBeforeSecret(bytes, count, this.redactor),
        marker: this.redactor.replacement,
      });
    }
    if (builtin === "promise" || builtin === "WeakMap" || builtin === "WeakSet") {
      return this.leaf(builtin === "promise" ? "[Promise]" : `[${builtin}]`);
    }
    if (builtin === "boxed") return this.walk(unbox(value), depth);
    const collection = builtin === "map" || builtin === "set" ? builtin : undefined;
    const isError = collection === undefined && (value instanceof Error || types.isNativeError(value));
    const toJSON = isError ? undefined : read(value, "toJSON");
    // A toJSON result may have a toJSON of its own (even be `this`); counting levels bounds that chain.
    if (typeof toJSON === "function" && depth <= this.limits.maxDepth) {
      try {
        return this.walk(toJSON.call(value), depth + 1);
      } catch (error) {
        return this.string(thrownText(error));
      }
    }
    if (depth <= this.limits.maxDepth)
      return this.enter(value, depth, collection ?? (isError ? "error" : "object"));
    const name = isError ? read(value, "name") : constructorName(value);
    const label = name === THROWN || (typeof name === "string" && name) ? this.name(name) : "Object";
    const size = collection ? `(${collectionSize(value as Set<unknown>)})` : "";
    return this.string(`[${label}${size}]`);
  }

  /** The containers: the only values walked item by item, and the only ones that can form a cycle. */
  enter(value: object, depth: number, kind: "object" | "array" | "error" | "map" | "set"): unknown {
    if (this.path.includes(value)) return this.leaf("[Circular]");
    this.path.push(value);
    let out: unknown;
    if (kind === "object") out = this.keys(value, depth);
    else if (kind === "array") out = this.array(value as unknown[], depth);
    else if (kind === "error") out = this.error(value, depth, true);
    else {
      const set = value as Set<unknown>;
      const size = collectionSize(set);
      const items = this.items(collectionIterator(set), size, kind === "map", depth);
      out = kind === "map" ? { $type: "Map", size, entries: items } : { $type: "Set", size, values: items };
    }
    this.path.pop();
    return out;
  }

  keys(value: object, depth: number): Record<string, unknown> {
    const { keys, total } = ownKeys(value, this.limits.maxArrayLength);
    const out: Record<string, unknown> = {};
    let i = 0;
    for (; i < keys.length && this.bytes <= this.ceiling; i++) {
      const key = keys[i]!;
      // Keys are text too: a dictionary keyed by prompts or tokens is cut and redacted like values.
      const k =
        key.length > this.limits.maxStringLength ? this.string(key) : this.leaf(this.redactor.redactKey(key));
      const secret = this.secretKey(key);
      const item = secret ? this.leaf(this.redactor.replacement) : this.walk(read(value, key), depth + 1);
      if (item === undefined) continue;
      setKey(out, k, item);
    }
    if (i < keys.length || total === undefined || total > i) {
      const more = total === undefined ? "more keys" : `${total - i} more keys`;
      out["…"] = i < keys.length ? this.cut(`; ${more}`) : this.leaf(`[${more}]`);
    }
    return out;
  }

  /** Array items by index: no iterator to allocate or override, holes read as undefined (then null). */
  array(src: unknown[], depth: number): unknown[] {
    const total = arrayLength(src);
    const limit = Math.min(total, this.limits.maxArrayLength);
    const out: unknown[] = [];
    // A [name, value] pair (headers as entries: [["x-api-key", key]]) is redacted like a property.
    const first = total === 2 ? read(src, 0) : undefined;
    const pair = typeof first === "string" && this.redactor.isSecretKey(first);
    for (let i = 0; i < limit && this.bytes <= this.ceiling; i++)
      out.push(
        pair && i === 1 ? this.leaf(this.redactor.replacement) : (this.walk(read(src, i), depth + 1) ?? null),
      );
    return this.more(out, total);
  }

  /** Map entries (as [key, value] pairs) or Set values, at most as many as are kept. */
  items(iterator: Iterator<unknown>, total: number, isMap: boolean, depth: number): unknown[] {
    const limit = Math.min(total, this.limits.maxArrayLength);
    const out: unknown[] = [];
    const d = depth + 1;
    while (out.length < limit && this.bytes <= this.ceiling) {
      const step = iterator.next();
      if (step.done) return out; // a getter made it smaller while it was walked
      out.push(isMap ? this.entry(step.value as [unknown, unknown], d) : (this.walk(step.value, d) ?? null));
    }
    return this.more(out, total);
  }

  /** The marker after the items kept, when some were left: cut by the byte budget or by the item limit. */
  more(out: unknown[], total: number): unknown[] {
    const rest = total - out.length;
    if (rest <= 0) return out;
    out.push(
      this.bytes > this.ceiling ? this.cut(`; ${rest} more items`) : this.leaf(`[… ${rest} more items]`),
    );
    return out;
  }

  /** A Map entry under a secret-looking string key is redacted like an object property. */
  entry([key, value]: [unknown, unknown], depth: number): unknown[] {
    const secret = typeof key === "string" && this.secretKey(key);
    const k = this.walk(key, depth) ?? null;
    return [k, (secret ? this.leaf(this.redactor.replacement) : this.walk(value, depth)) ?? null];
  }

  /** A text field of an error: cut and redacted, or the marker of what its getter threw. */
  field(value: unknown): string {
    return this.string(value === THROWN ? thrownText(takeThrown()) : text(value));
  }

  error(value: object, depth: number, tagged: boolean): RecordedError {
    // Each field is read and recorded before the next is read: THROWN refers to the last failure.
    const name = read(value, "name");
    const fields = {
      name: name === THROWN || (typeof name === "string" && name) ? this.field(name) : "Error",
      message: this.field(read(value, "message") ?? ""),
    };
    // Inside a recorded value the tag tells an error apart from a plain object with the same fields.
    const out: RecordedError = tagged ? ({ $type: "Error", ...fields } as RecordedError) : fields;
    const stack = read(value, "stack");
    if (typeof stack === "string" || stack === THROWN) out.stack = this.field(stack);
    const code = read(value, "code");
    if (typeof code === "string" || typeof code === "number" || code === THROWN) out.code = this.field(code);
    // The causes and an AggregateError's errors are values, walked (and bounded) like any other.
    const cause = read(value, "cause");
    if (cause !== undefined) out.cause = this.walk(cause, depth + 1);
    const errors = read(value, "errors");
    if (errors !== undefined) out.errors = this.walk(errors, depth + 1);
    return out;
  }

  thrown(error: unknown): RecordedError {
    if (typeof error === "object" && error !== null && isErrorLike(error)) {
      this.path.push(error);
      return this.error(error, 0, false);
    }
    // A thrown string, number or other non-error: its text becomes the message.
    const copy = this.walk(error, 0);
    return { name: "NonError", message: typeof copy === "string" ? copy : String(JSON.stringify(copy)) };
  }
}

/**
 * A session, call or event name as recorded: redacted like any string, and cut like a long string
 * value (names are text users control: a prompt used as a name must not cost megabytes per call).
 */
export function sanitizeName(name: string, { limits, redactor }: SanitizeOptions): string {
  if (name.length <= limits.maxStringLength) return redactor.redactName(name);
  return cutString(name, limits.maxStringLength, redactor);
}

let pool: Walker | undefined;

/** Both entry points: takes the pooled walker (or a new one when a walk is already using it). */
function run(value: unknown, { limits, redactor }: SanitizeOptions, asError: boolean): unknown {
  const walker = pool ?? new Walker();
  pool = undefined;
  walker.bytes = 0;
  walker.limits = limits;
  walker.ceiling = limits.maxPayloadBytes * 1.25;
  walker.redactor = redactor;
  try {
    return asError ? walker.thrown(value) : walker.walk(value, 0);
  } catch (error) {
    // Only a failure outside any one value gets here (the stack ran out, say); describing it may
    // fail the same way, and then the record says only that.
    try {
      const message = redactor.redactString(thrownText(error).slice(0, 500));
      return asError ? { name: "Error", message } : message;
    } catch {
      return asError ? { name: "Error", message: UNRECORDABLE } : UNRECORDABLE;
    }
  } finally {
    // Only a throw mid-walk leaves objects on the path; they must not stay referenced from the pool.
    if (walker.path.length !== 0) walker.path.length = 0;
    pool = walker;
  }
}

/** A JSON-safe, redacted, size-limited deep copy. Never throws. */
export function sanitize(value: unknown, options: SanitizeOptions = DEFAULT_SANITIZE): unknown {
  return run(value, options, false);
}

/**
 * Record an error (or any thrown value) as RecordedError: name, message, stack, code, cause
 * (recursively, depth-limited). Message and stack go through redactString. Never throws.
 */
export function sanitizeError(error: unknown, options: SanitizeOptions = DEFAULT_SANITIZE): RecordedError {
  return run(error, options, true) as RecordedError;
}

/**
 * Attributes as recorded: a sanitized copy that is always an object, so it merges key by key into a
 * record's attributes. What could not be copied as an object (a Proxy whose traps throw, say) is
 * kept as the marker under the key "…". Never throws.
 */
export function sanitizeAttributes(
  attributes: unknown,
  options: SanitizeOptions = DEFAULT_SANITIZE,
): Record<string, unknown> {
  const copy = run(attributes, options, false);
  return typeof copy === "object" && copy !== null && !Array.isArray(copy)
    ? (copy as Record<string, unknown>)
    : { "…": copy ?? null };
}
