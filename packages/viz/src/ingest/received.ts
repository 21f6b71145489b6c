/** What the decoders of OTLP requests (protobuf and JSON) make of a request: one span model. */

/**
 * One span as it arrived, independent of the wire encoding.
 *
 * Attribute values are: `string`, `boolean`, `number` (OTLP `double_value`, and `int_value` when it
 * is a safe integer), `bigint` (an `int_value` outside the safe range), `Uint8Array`
 * (`bytes_value`), arrays, plain objects (`kvlist_value`) and `null` (an empty AnyValue).
 */
export interface ReceivedSpan {
  /** 32 lowercase hex digits; an empty id on the wire becomes all zeros, as in the collector. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** Absent for root spans. */
  parentSpanId?: string;
  name: string;
  /** OTLP `SpanKind`: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; timeNs: bigint; attributes: Record<string, unknown> }>;
  links: Array<{ traceId: string; spanId: string }>;
  /** OTLP `StatusCode`: 0 unset, 1 ok, 2 error. The message is omitted when empty. */
  status: { code: 0 | 1 | 2; message?: string };
  /** The attributes of the span's resource (e.g. `service.name`). */
  resource: Record<string, unknown>;
  scope: { name: string; version?: string };
}

/** What one request held: the spans that could be read, and how many could not (and why). */
export interface DecodedRequest {
  spans: ReceivedSpan[];
  /** Spans whose fields could not be read (an id of the wrong length, a value of the wrong type). */
  rejected: number;
  /** Why the first rejected span was rejected, with where it was (`resourceSpans[0]...`). */
  firstError?: string;
}

/** The body is not an ExportTraceServiceRequest at all: the whole request is refused (400). */
export class OtlpDecodeError extends Error {
  override name = "OtlpDecodeError";
}

/** kvlist and array values nest; past this depth the rest of a value is left out (null). */
export const MAX_VALUE_DEPTH = 32;

/** Sets `out[key]`, keeping a key "__proto__" a plain key rather than the object's prototype. */
export function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else out[key] = value;
}

/** An OTLP `StatusCode`, or a TypeError naming a value that is none. */
export function statusCode(code: number): 0 | 1 | 2 {
  if (code !== 0 && code !== 1 && code !== 2) throw new TypeError(`status.code: unknown value ${code}`);
  return code;
}
