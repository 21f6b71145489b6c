/** OTLP's attribute values on the wire: `AnyValue`, `ArrayValue`, `KeyValueList`, `KeyValue`. */
import { MAX_VALUE_DEPTH, setKey } from "./received.js";
import { FIXED64, LENGTH, VARINT, type WireReader } from "./wire.js";

type Attributes = Record<string, unknown>;

function arrayValue(r: WireReader, depth: number): unknown[] {
  const values: unknown[] = [];
  for (let field = r.next(); field !== 0; field = r.next()) {
    if (field !== 1) r.skip();
    else {
      r.expect(LENGTH, "ArrayValue.values");
      values.push(anyValue(r.message(), depth));
    }
  }
  return values;
}

/** An `AnyValue`: its one member that was set (the last, if several were), else null. */
function anyValue(r: WireReader, depth: number): unknown {
  let value: unknown = null;
  for (let field = r.next(); field !== 0; field = r.next()) {
    switch (field) {
      case 1:
        r.expect(LENGTH, "AnyValue.string_value");
        value = r.string();
        break;
      case 2:
        r.expect(VARINT, "AnyValue.bool_value");
        value = r.varint() !== 0;
        break;
      case 3:
        r.expect(VARINT, "AnyValue.int_value");
        value = r.int64Value();
        break;
      case 4:
        r.expect(FIXED64, "AnyValue.double_value");
        value = r.double();
        break;
      case 5: {
        r.expect(LENGTH, "AnyValue.array_value");
        const inner = r.message();
        value = depth < MAX_VALUE_DEPTH ? arrayValue(inner, depth + 1) : null;
        break;
      }
      case 6: {
        r.expect(LENGTH, "AnyValue.kvlist_value");
        const inner = r.message();
        value = depth < MAX_VALUE_DEPTH ? keyValueList(inner, depth + 1) : null;
        break;
      }
      case 7:
        r.expect(LENGTH, "AnyValue.bytes_value");
        // A copy: the request's buffer is not kept.
        value = new Uint8Array(r.bytes());
        break;
      default:
        r.skip();
    }
  }
  return value;
}

function keyValueList(r: WireReader, depth: number): Attributes {
  const out: Attributes = {};
  for (let field = r.next(); field !== 0; field = r.next()) {
    if (field !== 1) r.skip();
    else {
      r.expect(LENGTH, "KeyValueList.values");
      addKeyValue(out, r.message(), depth);
    }
  }
  return out;
}

export function addKeyValue(out: Attributes, r: WireReader, depth: number): void {
  let key = "";
  let value: unknown = null;
  for (let field = r.next(); field !== 0; field = r.next()) {
    if (field === 1) {
      r.expect(LENGTH, "KeyValue.key");
      key = r.string();
    } else if (field === 2) {
      r.expect(LENGTH, "KeyValue.value");
      value = anyValue(r.message(), depth);
    } else r.skip();
  }
  setKey(out, key, value);
}

/** `Resource.attributes` (1), or `InstrumentationScope` name (1), version (2) and attributes (3). */
export function attributesOf(r: WireReader, field: number): Attributes {
  const out: Attributes = {};
  for (let at = r.next(); at !== 0; at = r.next()) {
    if (at !== field) r.skip();
    else {
      r.expect(LENGTH, "attributes");
      addKeyValue(out, r.message(), 0);
    }
  }
  return out;
}
