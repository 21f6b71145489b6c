/**
 * Decoding of OTLP/HTTP trace export requests into one span model (`ReceivedSpan`), so the
 * receiver does not care which encoding an exporter chose: OTLP/JSON here, protobuf in
 * decode-protobuf.ts.
 */
import {
  type DecodedRequest,
  MAX_VALUE_DEPTH,
  OtlpDecodeError,
  type ReceivedSpan,
  setKey,
  statusCode,
} from "./received.js";

export { decodeProtobuf } from "./decode-protobuf.js";
export type { DecodedRequest, ReceivedSpan } from "./received.js";
export { OtlpDecodeError } from "./received.js";

type Obj = Record<string, unknown>;

// Enum value names, indexed by number, for OTLP/JSON senders that spell enums by name.
const SPAN_KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"].map(
  (k) => `SPAN_KIND_${k}`,
);
const STATUS_CODES = ["UNSET", "OK", "ERROR"].map((c) => `STATUS_CODE_${c}`);
// The members of the AnyValue oneof; at most one is set (none for an empty value).
const ANY_VALUE_KINDS = ["string", "bool", "int", "double", "array", "kvlist", "bytes"].map(
  (k) => `${k}Value`,
);
/** Reads the fields of a parsed OTLP/JSON request, checking each value's type. */
class Reader {
  private readonly snake = new Map<string, string>();

  /** A field by its camelCase name; OTLP/JSON receivers also accept the proto (snake_case) name. */
  get(o: Obj, name: string): unknown {
    const v = o[name];
    if (v !== undefined) return v;
    let snake = this.snake.get(name);
    if (snake === undefined) {
      snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      this.snake.set(name, snake);
    }
    return o[snake];
  }

  /** A nested message; `undefined` when absent. */
  obj(v: unknown, what: string): Obj | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) throw new TypeError(`${what}: expected an object`);
    return v as Obj;
  }

  /** A repeated field; absent means empty, as in proto3. */
  list(v: unknown, what: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new TypeError(`${what}: expected an array`);
    return v;
  }

  str(v: unknown, what: string): string {
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") throw new TypeError(`${what}: expected a string`);
    return v;
  }

  /**
   * Trace/span ids: hex strings in OTLP/JSON (not base64, unlike proto3 JSON). The collector takes
   * an empty id as all zeros and refuses any other length; so do we.
   */
  id(v: unknown, bytes: number, what: string): string {
    const s = this.str(v, what);
    if (s === "") return "0".repeat(bytes * 2);
    if (s.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(s)) {
      throw new TypeError(`${what}: expected ${bytes * 2} hex digits, got ${JSON.stringify(s.slice(0, 80))}`);
    }
    return s.toLowerCase();
  }

  /** A 64-bit integer, exactly: a decimal string, or a number (exact only up to 2^53). */
  int64(v: unknown, what: string): bigint {
    if (v === undefined || v === null) return 0n;
    if (typeof v === "number") {
      if (!Number.isInteger(v)) throw new TypeError(`${what}: expected an integer, got ${v}`);
      return BigInt(v);
    }
    if (typeof v === "string") {
      if (!/^-?\d{1,20}$/.test(v))
        throw new TypeError(`${what}: expected a decimal integer, got ${JSON.stringify(v.slice(0, 80))}`);
      return BigInt(v);
    }
    throw new TypeError(`${what}: expected a 64-bit integer`);
  }

  /** Enums: numbers or value names. */
  enumValue(v: unknown, names: readonly string[], what: string): number {
    if (v === undefined || v === null) return 0;
    if (typeof v === "number" && Number.isInteger(v)) return v;
    const index = typeof v === "string" ? names.indexOf(v) : -1;
    if (index < 0)
      throw new TypeError(`${what}: unknown enum value ${JSON.stringify(String(v).slice(0, 80))}`);
    return index;
  }

  anyValue(v: unknown, what: string, depth = 0): unknown {
    const av = this.obj(v, what);
    if (av === undefined || depth > MAX_VALUE_DEPTH) return null;
    const kind = ANY_VALUE_KINDS.find((k) => this.get(av, k) != null);
    const value = kind === undefined ? undefined : this.get(av, kind);
    switch (kind) {
      case "stringValue":
        return this.str(value, what);
      case "boolValue":
        if (typeof value !== "boolean") throw new TypeError(`${what}: expected a boolean`);
        return value;
      case "intValue": {
        const n = this.int64(value, what);
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      case "doubleValue":
        // proto3 JSON spells non-finite doubles as strings.
        if (typeof value === "number") return value;
        if (value === "NaN" || value === "Infinity" || value === "-Infinity") return Number(value);
        throw new TypeError(`${what}: expected a number`);
      case "arrayValue": {
        const values = this.get(this.obj(value, what) ?? {}, "values");
        return this.list(values, what).map((item) => this.anyValue(item, what, depth + 1));
      }
      case "kvlistValue":
        return this.attributes(this.get(this.obj(value, what) ?? {}, "values"), what, depth + 1);
      case "bytesValue":
        // base64; copied into a plain Uint8Array so equality checks don't see Buffer.
        return new Uint8Array(Buffer.from(this.str(value, what), "base64"));
      default:
        return null;
    }
  }

  attributes(v: unknown, what: string, depth = 0): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const item of this.list(v, what)) {
      const kv = this.obj(item, what) ?? {};
      const key = this.str(this.get(kv, "key"), `${what}.key`);
      setKey(
        out,
        key,
        this.anyValue(this.get(kv, "value"), `${what}[${JSON.stringify(key.slice(0, 80))}]`, depth),
      );
    }
    return out;
  }
}

function toSpan(r: Reader, s: Obj, resource: Obj, scope: ReceivedSpan["scope"]): ReceivedSpan {
  const parent = r.get(s, "parentSpanId");
  const hasParent = typeof parent === "string" ? parent !== "" : (parent as Uint8Array | undefined)?.length;
  const status = r.obj(r.get(s, "status"), "status") ?? {};
  const code = statusCode(r.enumValue(r.get(status, "code"), STATUS_CODES, "status.code"));
  const message = r.str(r.get(status, "message"), "status.message");
  const span: ReceivedSpan = {
    traceId: r.id(r.get(s, "traceId"), 16, "traceId"),
    spanId: r.id(r.get(s, "spanId"), 8, "spanId"),
    name: r.str(r.get(s, "name"), "name"),
    kind: r.enumValue(r.get(s, "kind"), SPAN_KINDS, "kind"),
    startNs: r.int64(r.get(s, "startTimeUnixNano"), "startTimeUnixNano"),
    endNs: r.int64(r.get(s, "endTimeUnixNano"), "endTimeUnixNano"),
    attributes: r.attributes(r.get(s, "attributes"), "attributes"),
    events: r.list(r.get(s, "events"), "events").map((item) => {
      const e = r.obj(item, "event") ?? {};
      return {
        name: r.str(r.get(e, "name"), "event.name"),
        timeNs: r.int64(r.get(e, "timeUnixNano"), "event.timeUnixNano"),
        attributes: r.attributes(r.get(e, "attributes"), "event.attributes"),
      };
    }),
    links: r.list(r.get(s, "links"), "links").map((item) => {
      const l = r.obj(item, "link") ?? {};
      return {
        traceId: r.id(r.get(l, "traceId"), 16, "link.traceId"),
        spanId: r.id(r.get(l, "spanId"), 8, "link.spanId"),
      };
    }),
    status: message === "" ? { code } : { code, message },
    resource,
    scope,
  };
  if (hasParent) span.parentSpanId = r.id(parent, 8, "parentSpanId");
  return span;
}

/**
 * Walks ExportTraceServiceRequest → ResourceSpans → ScopeSpans → Span. A span whose own fields
 * cannot be read is counted as rejected; a resource or scope that cannot be read rejects its spans.
 */
function normalise(r: Reader, request: Obj): DecodedRequest {
  const out: DecodedRequest = { spans: [], rejected: 0 };
  const reject = (count: number, where: string, error: unknown) => {
    out.rejected += count;
    out.firstError ??= `${where}${(error as Error).message}`;
  };
  r.list(r.get(request, "resourceSpans"), "resourceSpans").forEach((rsItem, i) => {
    const rs = r.obj(rsItem, `resourceSpans[${i}]`) ?? {};
    const scopes = r.list(r.get(rs, "scopeSpans"), `resourceSpans[${i}].scopeSpans`);
    let resource: Obj;
    try {
      const res = r.obj(r.get(rs, "resource"), `resourceSpans[${i}].resource`) ?? {};
      resource = r.attributes(r.get(res, "attributes"), `resourceSpans[${i}].resource.attributes`);
    } catch (error) {
      reject(countSpans(r, scopes), "", error);
      return;
    }
    scopes.forEach((ssItem, j) => {
      const where = `resourceSpans[${i}].scopeSpans[${j}]`;
      const ss = r.obj(ssItem, where) ?? {};
      const spans = r.list(r.get(ss, "spans"), `${where}.spans`);
      let scope: ReceivedSpan["scope"];
      try {
        const sc = r.obj(r.get(ss, "scope"), `${where}.scope`) ?? {};
        const version = r.str(r.get(sc, "version"), `${where}.scope.version`);
        const name = r.str(r.get(sc, "name"), `${where}.scope.name`);
        scope = version === "" ? { name } : { name, version };
      } catch (error) {
        reject(spans.length, "", error);
        return;
      }
      spans.forEach((spanItem, k) => {
        // One try per span: field helpers take constant labels (cheap for 100k spans), yet errors say where.
        try {
          out.spans.push(toSpan(r, r.obj(spanItem, "span") ?? {}, resource, scope));
        } catch (error) {
          reject(1, `${where}.spans[${k}].`, error);
        }
      });
    });
  });
  return out;
}

function countSpans(r: Reader, scopes: unknown[]): number {
  let count = 0;
  for (const scope of scopes) {
    const spans = typeof scope === "object" && scope !== null ? r.get(scope as Obj, "spans") : undefined;
    if (Array.isArray(spans)) count += spans.length;
  }
  return count;
}

/** Why a body is not an ExportTraceServiceRequest, as one line. */
function notARequest(error: unknown): OtlpDecodeError {
  return new OtlpDecodeError(error instanceof Error ? error.message : String(error));
}

/**
 * Parses an OTLP/JSON `ExportTraceServiceRequest` (Content-Type `application/json`): hex ids, 64-bit
 * integers as strings or numbers, enums as numbers or names, camelCase or snake_case field names.
 * 64-bit integers sent as JSON numbers are exact only up to 2^53 (JSON.parse yields doubles), while a Go
 * receiver such as Jaeger reads the literal digits; decimal strings are exact here too.
 *
 * @throws OtlpDecodeError on invalid JSON or a shape that is not an ExportTraceServiceRequest.
 */
export function decodeJson(body: string): DecodedRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw notARequest(error);
  }
  const reader = new Reader();
  try {
    const request = reader.obj(parsed, "request");
    if (request === undefined) throw new TypeError("request: expected an object");
    return normalise(reader, request);
  } catch (error) {
    throw notARequest(error);
  }
}
