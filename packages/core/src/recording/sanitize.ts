import { Buffer } from "node:buffer";
import { defaultRedactor, type Redactor } from "./redact.js";
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

/** Rough JSON cost of a primitive or a key beyond its characters: quotes, comma, colon, digits. */
const ITEM_COST = 8;
/** Extra characters redacted past a string cut, so a secret straddling the cut is still caught whole. */
const REDACT_OVERLAP = 256;
/** Returned by `read` when a getter threw (the error is left in `lastThrown`); `walk` records it. */
const THROWN: unique symbol = Symbol("thrown");
let lastThrown: unknown;
const DATA_PROPERTY = { enumerable: true, writable: true, configurable: true };

function read(target: any, key: string): unknown {
  try {
    return target[key];
  } catch (error) {
    lastThrown = error;
    return THROWN;
  }
}

/** String(value), for values whose toString may throw or be missing (null-prototype objects). */
function text(value: unknown): string {
  try {
    return typeof value === "string" ? value : String(value instanceof Error ? value.message : value);
  } catch {
    return "[unprintable]";
  }
}

const thrownText = (error: unknown) => `[Thrown: ${text(error)}]`;
const fnName = (f: Function) => (typeof f.name === "string" && f.name) || "(anonymous)";
/** -0 would come back from JSON as 0, non-finite numbers as null, and a bigint not at all. */
const num = (n: number | bigint): number | string =>
  typeof n === "bigint" ? `${n}n` : Number.isFinite(n) ? (n === 0 ? 0 : n) : String(n);

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
    if (typeof value === "object" && value !== null) return this.object(value, depth);
    if (typeof value === "bigint") return this.string(`${value}n`);
    if (typeof value === "symbol")
      return this.string(value === THROWN ? thrownText(lastThrown) : value.toString());
    if (typeof value === "function") return this.string(`[Function ${fnName(value)}]`);
    this.bytes += ITEM_COST;
    return typeof value === "number" ? num(value) : value;
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

  object(value: object, depth: number): unknown {
    const isArray = Array.isArray(value);
    const proto = isArray ? Object.prototype : Object.getPrototypeOf(value);
    // A plain object with toJSON is rare, so it shares the slower path of the special types.
    const special = (proto !== Object.prototype && proto !== null) || (!isArray && "toJSON" in value);
    if (special) return this.special(value, depth);
    if (depth > this.limits.maxDepth) return this.leaf(isArray ? `[Array(${value.length})]` : "[Object]");
    return this.enter(value, depth, isArray ? "array" : "object");
  }

  /** Leaf types first (no depth or cycle concerns), then containers. */
  special(value: object, depth: number): unknown {
    if (value instanceof Date) return this.leaf(Number.isNaN(+value) ? "Invalid Date" : value.toISOString());
    if (value instanceof RegExp) return this.string(String(value));
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
      return this.binary(value);
    }
    if (value instanceof Promise) return this.leaf("[Promise]");
    if (value instanceof WeakMap) return this.leaf("[WeakMap]");
    if (value instanceof WeakSet) return this.leaf("[WeakSet]");
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return this.walk(value.valueOf(), depth);
    }
    const isError = value instanceof Error;
    const toJSON = isError ? undefined : read(value, "toJSON");
    // A toJSON result may have a toJSON of its own (even be `this`); counting levels bounds that chain.
    if (typeof toJSON === "function" && depth <= this.limits.maxDepth) {
      try {
        return this.walk(toJSON.call(value), depth + 1);
      } catch (error) {
        return this.string(thrownText(error));
      }
    }
    const kind = value instanceof Map ? "map" : value instanceof Set ? "set" : isError ? "error" : "object";
    if (depth <= this.limits.maxDepth) return this.enter(value, depth, kind);
    const name = isError ? read(value, "name") : value.constructor?.name;
    const label = typeof name === "string" && name ? name : "Object";
    const size = kind === "map" || kind === "set" ? `(${(value as Set<unknown>).size})` : "";
    return this.string(`[${label}${size}]`);
  }

  /** The containers: the only values walked item by item, and the only ones that can form a cycle. */
  enter(value: object, depth: number, kind: "object" | "array" | "error" | "map" | "set"): unknown {
    if (this.path.includes(value)) return this.leaf("[Circular]");
    this.path.push(value);
    let out: unknown;
    if (kind === "object") out = this.keys(value, depth);
    else if (kind === "array") out = this.items(value as unknown[], depth);
    else if (kind === "error") out = this.error(value, depth, true);
    else {
      const size = (value as Set<unknown>).size;
      const items = this.items(value as Iterable<unknown>, depth);
      out = kind === "map" ? { $type: "Map", size, entries: items } : { $type: "Set", size, values: items };
    }
    this.path.pop();
    return out;
  }

  keys(value: object, depth: number): Record<string, unknown> {
    const keys = Object.keys(value);
    const limit = Math.min(keys.length, this.limits.maxArrayLength);
    const out: Record<string, unknown> = {};
    let i = 0;
    for (; i < limit && this.bytes <= this.ceiling; i++) {
      const key = keys[i]!;
      // Keys are text too: a dictionary keyed by prompts or tokens is cut and redacted like values.
      const k = key.length > this.limits.maxStringLength ? this.string(key) : this.redactor.redactString(key);
      this.bytes += key.length + ITEM_COST;
      const secret = this.redactor.isSecretKey(key);
      const item = secret ? this.leaf(this.redactor.replacement) : this.walk(read(value, key), depth + 1);
      if (item === undefined) continue;
      // Plain assignment of "__proto__" would replace the copy's prototype instead of adding a key.
      if (k === "__proto__") Object.defineProperty(out, k, { ...DATA_PROPERTY, value: item });
      else out[k] = item;
    }
    if (i < limit) out["…"] = this.cut(`; ${keys.length - i} more keys`);
    else if (keys.length > limit) out["…"] = this.leaf(`[${keys.length - limit} more keys]`);
    return out;
  }

  /** Array items, Map entries (as [key, value] pairs) or Set values. */
  items(src: Iterable<unknown>, depth: number): unknown[] {
    const total = Array.isArray(src) ? src.length : (src as Set<unknown>).size;
    const limit = Math.min(total, this.limits.maxArrayLength);
    const out: unknown[] = [];
    const d = depth + 1;
    if (Array.isArray(src)) {
      // A [name, value] pair (headers as entries: [["x-api-key", key]]) is redacted like a property.
      const pair = total === 2 && typeof src[0] === "string" && this.redactor.isSecretKey(src[0]);
      // Indexed, because iterators allocate and holes must read as undefined (then null).
      for (let i = 0; i < limit && this.bytes <= this.ceiling; i++)
        out.push(pair && i === 1 ? this.leaf(this.redactor.replacement) : (this.walk(src[i], d) ?? null));
    } else {
      const isMap = src instanceof Map;
      for (const item of src) {
        if (out.length >= limit || this.bytes > this.ceiling) break;
        out.push(isMap ? this.entry(item as [unknown, unknown], d) : (this.walk(item, d) ?? null));
      }
    }
    if (out.length < limit) out.push(this.cut(`; ${total - out.length} more items`));
    else if (total > limit) out.push(this.leaf(`[… ${total - limit} more items]`));
    return out;
  }

  /** A Map entry under a secret-looking string key is redacted like an object property. */
  entry([key, value]: [unknown, unknown], depth: number): unknown[] {
    const secret = typeof key === "string" && this.redactor.isSecretKey(key);
    const k = this.walk(key, depth) ?? null;
    return [k, (secret ? this.leaf(this.redactor.replacement) : this.walk(value, depth)) ?? null];
  }

  error(value: object, depth: number, tagged: boolean): RecordedError {
    const name = read(value, "name");
    const message = read(value, "message");
    const fields = {
      name: typeof name === "string" && name ? this.string(name) : "Error",
      message: this.string(message === THROWN ? thrownText(lastThrown) : text(message ?? "")),
    };
    // Inside a recorded value the tag tells an error apart from a plain object with the same fields.
    const out: RecordedError = tagged ? ({ $type: "Error", ...fields } as RecordedError) : fields;
    const stack = read(value, "stack");
    if (typeof stack === "string") out.stack = this.string(stack);
    const code = read(value, "code");
    if (typeof code === "string" || typeof code === "number") out.code = this.string(String(code));
    const cause = "cause" in value ? read(value, "cause") : undefined;
    if (cause !== undefined) out.cause = this.walk(cause, depth + 1);
    return out;
  }

  thrown(error: unknown): RecordedError {
    if (typeof error === "object" && error !== null && (error instanceof Error || "message" in error)) {
      this.path.push(error);
      return this.error(error, 0, false);
    }
    // A thrown string, number or other non-error: its text becomes the message.
    const copy = this.walk(error, 0);
    return { name: "NonError", message: typeof copy === "string" ? copy : String(JSON.stringify(copy)) };
  }

  binary(v: ArrayBufferView | ArrayBufferLike): unknown {
    this.bytes += 24 * ITEM_COST; // the fields, and up to 16 preview numbers or 64 hex digits
    if (Buffer.isBuffer(v)) {
      const shown = bytesBeforeSecret(v, 32, this.redactor);
      const hex = v.toString("hex", 0, shown);
      return {
        $type: "Buffer",
        bytes: v.length,
        hex: shown < Math.min(v.length, 32) ? hex + this.redactor.replacement : hex,
      };
    }
    const view = ArrayBuffer.isView(v) ? v : new DataView(v);
    // Views over the same memory, never copies, so a huge buffer costs nothing.
    const items = (view instanceof DataView
      ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
      : view) as unknown as ArrayLike<number | bigint> & { BYTES_PER_ELEMENT?: number };
    const bytes = items.BYTES_PER_ELEMENT === 1 ? (items as unknown as ArrayBufferView) : undefined;
    const end = Math.min(items.length, 16);
    const shown = bytes
      ? bytesBeforeSecret(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), end, this.redactor)
      : end;
    const preview: Array<number | string> = [];
    for (let i = 0; i < shown; i++) preview.push(num(items[i]!));
    if (shown < end) preview.push(this.redactor.replacement);
    return { $type: v.constructor?.name ?? "ArrayBuffer", length: items.length, preview };
  }
}

/**
 * How many of the first `count` bytes a preview may show: all of them, or those before the first
 * secret that the bytes hold as text (a request body or a header block in a Buffer). The text is read
 * a little past the preview, so a secret that starts inside it is recognised whole.
 */
function bytesBeforeSecret(bytes: Buffer, count: number, redactor: Redactor): number {
  const shown = Math.min(bytes.length, count);
  if (!redactor.enabled || shown === 0) return shown;
  // latin1 maps each byte to one character, so offsets in the text are offsets in the bytes.
  const text = bytes.toString("latin1", 0, Math.min(bytes.length, count + REDACT_OVERLAP));
  const redacted = redactor.redactString(text);
  if (redacted === text) return shown;
  let i = 0;
  while (i < shown && text.charCodeAt(i) === redacted.charCodeAt(i)) i++;
  return i;
}

/**
 * The head of a string longer than `limit`, redacted, with a marker saying how much was cut. Secrets
 * are looked for a little past the cut, so one straddling it is still caught whole. The result is a
 * flat copy: a slice would keep the whole original string alive for as long as the record lives.
 */
export function cutString(s: string, limit: number, redactor: Redactor): string {
  const head = redactor.redactString(s.slice(0, limit + REDACT_OVERLAP));
  let keep = Math.min(limit, head.length);
  const last = head.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep--; // do not split a surrogate pair
  return flatten(`${head.slice(0, keep)}…[+${s.length - keep} chars]`);
}

/** A copy of `s` that shares no memory with the string it was sliced from. */
function flatten(s: string): string {
  return Buffer.from(s, "utf16le").toString("utf16le");
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
    const message = redactor.redactString(thrownText(error).slice(0, 500));
    return asError ? { name: "Error", message } : message;
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
