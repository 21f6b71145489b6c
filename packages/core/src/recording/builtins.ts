import { Buffer } from "node:buffer";
import { types } from "node:util";

/*
 * Reading built-in values the way the engine does, not through their properties: a Map whose
 * `size` is redefined, a Date with its own `toISOString`, a typed array whose `constructor` getter
 * throws or whose `Symbol.toStringTag` lies are recorded as what they are, and no user code runs.
 * The brand checks of `util.types` are not fooled by prototypes either, and see through realms.
 */

function getter(proto: object, key: PropertyKey): (this: unknown) => unknown {
  return Object.getOwnPropertyDescriptor(proto, key)!.get! as (this: unknown) => unknown;
}

const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const typedLength = getter(TypedArrayProto, "length");
const typedTag = getter(TypedArrayProto, Symbol.toStringTag);
const typedBuffer = getter(TypedArrayProto, "buffer");
const typedOffset = getter(TypedArrayProto, "byteOffset");
const viewBuffer = getter(DataView.prototype, "buffer");
const viewOffset = getter(DataView.prototype, "byteOffset");
const viewLength = getter(DataView.prototype, "byteLength");
const bufferLength = getter(ArrayBuffer.prototype, "byteLength");
const sharedLength = getter(SharedArrayBuffer.prototype, "byteLength");
const mapSize = getter(Map.prototype, "size");
const setSize = getter(Set.prototype, "size");
const regexpSource = getter(RegExp.prototype, "source");
const regexpFlags = getter(RegExp.prototype, "flags");
const { getTime, toISOString } = Date.prototype;
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;

/** Items shown of a typed array or binary buffer, and bytes shown of a Buffer as hex. */
const PREVIEW_ITEMS = 16;
const HEX_BYTES = 32;

/** A number as JSON keeps it: -0 would come back as 0, non-finite numbers as null, a bigint not at all. */
export const num = (n: number | bigint): number | string =>
  typeof n === "bigint" ? `${n}n` : Number.isFinite(n) ? (n === 0 ? 0 : n) : String(n);

export function dateText(value: Date): string {
  return Number.isNaN(getTime.call(value)) ? "Invalid Date" : toISOString.call(value);
}

export function regexpText(value: RegExp): string {
  return `/${regexpSource.call(value)}/${regexpFlags.call(value)}`;
}

/** The built-in types recorded as something other than their own keys. */
export type BuiltinKind =
  | "date"
  | "regexp"
  | "binary"
  | "promise"
  | "WeakMap"
  | "WeakSet"
  | "boxed"
  | "map"
  | "set";

/**
 * What built-in `value` is. The prototype chain is a cheap first filter (most objects recorded are
 * plain or instances of user classes, and fail every test at once); the brand check then settles it,
 * so an object made from `Map.prototype` without being a Map is walked as an object. A built-in of
 * another realm (a `vm` context) passes no filter and is walked by its keys too.
 */
export function builtinKind(value: object): BuiltinKind | undefined {
  if (ArrayBuffer.isView(value)) return "binary";
  if (value instanceof Date && types.isDate(value)) return "date";
  if (value instanceof Map && types.isMap(value)) return "map";
  if (value instanceof Set && types.isSet(value)) return "set";
  if (value instanceof RegExp && types.isRegExp(value)) return "regexp";
  if (value instanceof Promise && types.isPromise(value)) return "promise";
  if ((value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) && types.isAnyArrayBuffer(value)) {
    return "binary";
  }
  if (value instanceof WeakMap && types.isWeakMap(value)) return "WeakMap";
  if (value instanceof WeakSet && types.isWeakSet(value)) return "WeakSet";
  const boxed =
    value instanceof String ||
    value instanceof Number ||
    value instanceof Boolean ||
    value instanceof BigInt ||
    value instanceof Symbol;
  return boxed && types.isBoxedPrimitive(value) ? "boxed" : undefined;
}

/**
 * What a byte preview may show: `shown` says how many of the first `count` bytes (those before a
 * secret the bytes hold as text), and `marker` stands for the rest when it says fewer.
 */
export interface BytePreviewGuard {
  shown(bytes: Buffer, count: number): number;
  marker: string;
}

const SHOW_ALL: BytePreviewGuard = { shown: (bytes, count) => Math.min(bytes.length, count), marker: "" };

/** A size and a short preview of a buffer, typed array or DataView: views, never copies. */
export function binary(
  value: ArrayBufferView | ArrayBufferLike,
  guard: BytePreviewGuard = SHOW_ALL,
): Record<string, unknown> {
  if (types.isTypedArray(value)) {
    const length = typedLength.call(value) as number;
    const offset = typedOffset.call(value) as number;
    const buffer = typedBuffer.call(value) as ArrayBuffer;
    if (Buffer.isBuffer(value)) {
      const bytes = Buffer.from(buffer, offset, length);
      const end = Math.min(length, HEX_BYTES);
      const shown = guard.shown(bytes, end);
      return {
        $type: "Buffer",
        bytes: length,
        hex: bytes.toString("hex", 0, shown) + (shown < end ? guard.marker : ""),
      };
    }
    const items = value as unknown as ArrayLike<number | bigint>;
    const end = Math.min(length, PREVIEW_ITEMS);
    // Arrays of single bytes can hold text, and so a secret; wider items cannot be read as text.
    const shown =
      (value as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT === 1
        ? guard.shown(Buffer.from(buffer, offset, length), end)
        : end;
    const preview: Array<number | string> = [];
    for (let i = 0; i < shown; i++) preview.push(num(items[i]!));
    if (shown < end) preview.push(guard.marker);
    return { $type: typedTag.call(value), length, preview };
  }
  let type: string;
  let bytes: Uint8Array;
  if (types.isDataView(value)) {
    type = "DataView";
    const buffer = viewBuffer.call(value) as ArrayBuffer;
    bytes = new Uint8Array(buffer, viewOffset.call(value) as number, viewLength.call(value) as number);
  } else {
    const shared = types.isSharedArrayBuffer(value);
    type = shared ? "SharedArrayBuffer" : "ArrayBuffer";
    bytes = new Uint8Array(
      value as ArrayBuffer,
      0,
      (shared ? sharedLength : bufferLength).call(value) as number,
    );
  }
  const end = Math.min(bytes.length, PREVIEW_ITEMS);
  const shown = guard.shown(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), end);
  const preview: Array<number | string> = [];
  for (let i = 0; i < shown; i++) preview.push(bytes[i]!);
  if (shown < end) preview.push(guard.marker);
  return { $type: type, length: bytes.length, preview };
}

/** The primitive inside `new String(…)`, `new Number(…)` and the like, read by the engine's own methods. */
export function unbox(value: object): unknown {
  if (types.isStringObject(value)) return String.prototype.valueOf.call(value);
  if (types.isNumberObject(value)) return Number.prototype.valueOf.call(value);
  if (types.isBooleanObject(value)) return Boolean.prototype.valueOf.call(value);
  if (types.isBigIntObject(value)) return BigInt.prototype.valueOf.call(value);
  return Symbol.prototype.valueOf.call(value);
}

/** A Map's or Set's size, from the collection itself. */
export function collectionSize(value: Map<unknown, unknown> | Set<unknown>): number {
  return (types.isMap(value) ? mapSize : setSize).call(value) as number;
}

/** A Map's entries or a Set's values, with the built-in iterator whatever the collection overrides. */
export function collectionIterator(value: Map<unknown, unknown> | Set<unknown>): Iterator<unknown> {
  return types.isMap(value)
    ? mapEntries.call(value as Map<unknown, unknown>)
    : setValues.call(value as Set<unknown>);
}
