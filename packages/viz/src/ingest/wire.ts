/**
 * The protobuf wire format, as much of it as OTLP traces use: varints, fixed 32- and 64-bit
 * values, length-delimited fields. Hand-written rather than a protobuf library: the receiver reads
 * one fixed set of messages, and the package then needs no dependency (nor its install script).
 */

/** The bytes are not a protobuf message (truncated, or a wire type that cannot be there). */
export class WireError extends Error {
  override name = "WireError";
}

/** Wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH = 2;
export const FIXED32 = 5;

const TWO_32 = 2 ** 32;

/** Reads one message's fields in order: `next()` gives each field's number, then read its value. */
export class WireReader {
  readonly buffer: Buffer;
  pos: number;
  readonly end: number;
  /** The wire type of the field `next()` returned. */
  type = 0;

  constructor(buffer: Buffer, start = 0, end = buffer.length) {
    this.buffer = buffer;
    this.pos = start;
    this.end = end;
  }

  /** The next field's number, or 0 at the end of the message. */
  next(): number {
    if (this.pos >= this.end) return 0;
    const tag = this.varint();
    this.type = tag & 7;
    const field = Math.floor(tag / 8);
    if (field === 0) throw new WireError(`a field numbered 0 at byte ${this.pos}`);
    return field;
  }

  /** A varint as a number: exact up to 2^53 (lengths, enums, booleans, counts). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError("a varint runs past the end of its message");
      const byte = this.buffer[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new WireError(`a varint longer than 10 bytes at byte ${this.pos}`);
  }

  /**
   * An `int64` varint as a number when it is a safe integer (the usual case, read without BigInt),
   * else as a BigInt.
   */
  int64Value(): number | bigint {
    const start = this.pos;
    let value = 0;
    let scale = 1;
    // Seven bytes hold 49 bits: always a positive safe integer.
    for (let i = 0; i < 7 && this.pos < this.end; i++) {
      const byte = this.buffer[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    this.pos = start;
    const big = this.int64();
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(big)
      : big;
  }

  /** A varint as a signed 64-bit integer (`int64`: negative numbers take all 10 bytes). */
  int64(): bigint {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError("a varint runs past the end of its message");
      const byte = this.buffer[this.pos++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, value);
      shift += 7n;
    }
    throw new WireError(`a varint longer than 10 bytes at byte ${this.pos}`);
  }

  #need(bytes: number): void {
    if (this.pos + bytes > this.end) throw new WireError("a value runs past the end of its message");
  }

  /** A `fixed64` as an unsigned 64-bit integer. */
  fixed64(): bigint {
    this.#need(8);
    const low = this.buffer.readUInt32LE(this.pos);
    const high = this.buffer.readUInt32LE(this.pos + 4);
    this.pos += 8;
    return high === 0 ? BigInt(low) : (BigInt(high) << 32n) | BigInt(low);
  }

  /** A `fixed64` as a number, for values below 2^53 (a `double` is `doubleValue`). */
  fixed64Number(): number {
    this.#need(8);
    const value = this.buffer.readUInt32LE(this.pos) + this.buffer.readUInt32LE(this.pos + 4) * TWO_32;
    this.pos += 8;
    return value;
  }

  double(): number {
    this.#need(8);
    const value = this.buffer.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** A length-delimited value as hex (a trace or span id). */
  hex(): string {
    const [start, end] = this.span();
    return this.buffer.toString("hex", start, end);
  }

  /** Where a length-delimited value lies: `[start, end)`; the reader moves past it. */
  span(): [number, number] {
    const length = this.varint();
    this.#need(length);
    const start = this.pos;
    this.pos += length;
    return [start, this.pos];
  }

  /** A length-delimited field's reader (an embedded message). */
  message(): WireReader {
    const [start, end] = this.span();
    return new WireReader(this.buffer, start, end);
  }

  string(): string {
    const [start, end] = this.span();
    return start === end ? "" : this.buffer.toString("utf8", start, end);
  }

  /** Bytes as a view of the message's buffer (copy it to keep it). */
  bytes(): Buffer {
    const [start, end] = this.span();
    return this.buffer.subarray(start, end);
  }

  /** Skips the value of the field `next()` returned. */
  skip(): void {
    switch (this.type) {
      case VARINT:
        this.varint();
        return;
      case FIXED64:
        this.#need(8);
        this.pos += 8;
        return;
      case LENGTH:
        this.span();
        return;
      case FIXED32:
        this.#need(4);
        this.pos += 4;
        return;
      default:
        throw new WireError(`wire type ${this.type} (groups are not used by OTLP) at byte ${this.pos}`);
    }
  }

  /** The value must have this wire type (a field read as the wrong type is not this message). */
  expect(type: number, what: string): void {
    if (this.type !== type) throw new WireError(`${what} has wire type ${this.type}, expected ${type}`);
  }
}

// Writing: only the small answers the receiver sends.

function varintBytes(value: number | bigint, out: number[]): void {
  let v = BigInt.asUintN(64, BigInt(value));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/** A message's fields, written in the order given; `undefined` and empty values are left out. */
export function encodeMessage(
  fields: Array<[number, number | bigint | string | Uint8Array | undefined]>,
): Buffer {
  const out: number[] = [];
  for (const [field, value] of fields) {
    if (value === undefined || value === "" || value === 0 || value === 0n) continue;
    if (typeof value === "number" || typeof value === "bigint") {
      varintBytes(field * 8 + VARINT, out);
      varintBytes(value, out);
      continue;
    }
    const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
    varintBytes(field * 8 + LENGTH, out);
    varintBytes(bytes.length, out);
    for (const byte of bytes) out.push(byte);
  }
  return Buffer.from(out);
}
