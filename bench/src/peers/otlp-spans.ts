/**
 * Counts the spans in an OTLP `ExportTraceServiceRequest` (protobuf) without decoding them: the
 * request is `resource_spans` (field 1) → `scope_spans` (field 2) → `spans` (field 2), each a
 * length-delimited field, so walking those three levels and counting is enough.
 */

const LENGTH_DELIMITED = 2;

function varint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  let pos = at;
  for (;;) {
    const byte = bytes[pos++];
    if (byte === undefined) throw new Error("OTLP request cut off inside a varint");
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
}

/** Calls `onField` with each length-delimited field numbered `wanted` in `bytes[start, end)`. */
function eachField(
  bytes: Uint8Array,
  start: number,
  end: number,
  wanted: number,
  onField: (start: number, end: number) => void,
): void {
  let pos = start;
  while (pos < end) {
    const [key, afterKey] = varint(bytes, pos);
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    pos = afterKey;
    if (wireType === 0) pos = varint(bytes, pos)[1];
    else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else if (wireType === LENGTH_DELIMITED) {
      const [length, afterLength] = varint(bytes, pos);
      if (field === wanted) onField(afterLength, afterLength + length);
      pos = afterLength + length;
    } else throw new Error(`OTLP request has a field of unknown wire type ${wireType}`);
  }
}

/** The number of spans an OTLP/protobuf trace export request carries. */
export function countOtlpSpans(bytes: Uint8Array): number {
  let spans = 0;
  eachField(bytes, 0, bytes.length, 1, (resourceStart, resourceEnd) =>
    eachField(bytes, resourceStart, resourceEnd, 2, (scopeStart, scopeEnd) =>
      eachField(bytes, scopeStart, scopeEnd, 2, () => {
        spans++;
      }),
    ),
  );
  return spans;
}
