/**
 * Decoding of a binary protobuf `ExportTraceServiceRequest` (OTLP/HTTP `application/x-protobuf`)
 * straight from the wire into received spans. The messages and field numbers are those of
 * opentelemetry-proto (otlp.proto next to this file lists them); unknown fields are skipped, as
 * any protobuf reader does.
 */
import { addKeyValue, attributesOf } from "./protobuf-values.js";
import { type DecodedRequest, OtlpDecodeError, type ReceivedSpan, statusCode } from "./received.js";
import { FIXED64, LENGTH, VARINT, WireError, WireReader } from "./wire.js";

type Attributes = Record<string, unknown>;

function scopeOf(r: WireReader): ReceivedSpan["scope"] {
  let name = "";
  let version = "";
  for (let field = r.next(); field !== 0; field = r.next()) {
    if (field === 1) {
      r.expect(LENGTH, "InstrumentationScope.name");
      name = r.string();
    } else if (field === 2) {
      r.expect(LENGTH, "InstrumentationScope.version");
      version = r.string();
    } else r.skip();
  }
  return version === "" ? { name } : { name, version };
}

/** A trace or span id: the collector takes an empty one as zeros and refuses any other length. */
function id(hex: string, bytes: number, what: string): string {
  if (hex === "") return "0".repeat(bytes * 2);
  if (hex.length !== bytes * 2)
    throw new TypeError(`${what}: expected ${bytes} bytes, got ${hex.length / 2}`);
  return hex;
}

function eventOf(r: WireReader): ReceivedSpan["events"][number] {
  let name = "";
  let timeNs = 0n;
  const attributes: Attributes = {};
  for (let field = r.next(); field !== 0; field = r.next()) {
    if (field === 1) {
      r.expect(FIXED64, "Span.Event.time_unix_nano");
      timeNs = r.fixed64();
    } else if (field === 2) {
      r.expect(LENGTH, "Span.Event.name");
      name = r.string();
    } else if (field === 3) {
      r.expect(LENGTH, "Span.Event.attributes");
      addKeyValue(attributes, r.message(), 0);
    } else r.skip();
  }
  return { name, timeNs, attributes };
}

function linkOf(r: WireReader): ReceivedSpan["links"][number] {
  let traceId = "";
  let spanId = "";
  for (let field = r.next(); field !== 0; field = r.next()) {
    if (field === 1) {
      r.expect(LENGTH, "Span.Link.trace_id");
      traceId = r.hex();
    } else if (field === 2) {
      r.expect(LENGTH, "Span.Link.span_id");
      spanId = r.hex();
    } else r.skip();
  }
  return { traceId: id(traceId, 16, "link.traceId"), spanId: id(spanId, 8, "link.spanId") };
}

function statusOf(r: WireReader): ReceivedSpan["status"] {
  let code = 0;
  let message = "";
  for (let field = r.next(); field !== 0; field = r.next()) {
    if (field === 2) {
      r.expect(LENGTH, "Status.message");
      message = r.string();
    } else if (field === 3) {
      r.expect(VARINT, "Status.code");
      code = r.varint();
    } else r.skip();
  }
  const known = statusCode(code);
  return message === "" ? { code: known } : { code: known, message };
}

/**
 * One span. A field of the wrong wire type, or bytes cut short, is a `WireError` (the request is not
 * a message); an id of the wrong length or an unknown status is a `TypeError` (this span is rejected).
 */
function spanOf(r: WireReader, resource: Attributes, scope: ReceivedSpan["scope"]): ReceivedSpan {
  let traceId = "";
  let spanId = "";
  let parent = "";
  let name = "";
  let kind = 0;
  let startNs = 0n;
  let endNs = 0n;
  const attributes: Attributes = {};
  const events: ReceivedSpan["events"] = [];
  const links: ReceivedSpan["links"] = [];
  let status: WireReader | undefined;
  for (let field = r.next(); field !== 0; field = r.next()) {
    switch (field) {
      case 1:
        r.expect(LENGTH, "Span.trace_id");
        traceId = r.hex();
        break;
      case 2:
        r.expect(LENGTH, "Span.span_id");
        spanId = r.hex();
        break;
      case 4:
        r.expect(LENGTH, "Span.parent_span_id");
        parent = r.hex();
        break;
      case 5:
        r.expect(LENGTH, "Span.name");
        name = r.string();
        break;
      case 6:
        r.expect(VARINT, "Span.kind");
        kind = r.varint();
        break;
      case 7:
        r.expect(FIXED64, "Span.start_time_unix_nano");
        startNs = r.fixed64();
        break;
      case 8:
        r.expect(FIXED64, "Span.end_time_unix_nano");
        endNs = r.fixed64();
        break;
      case 9:
        r.expect(LENGTH, "Span.attributes");
        addKeyValue(attributes, r.message(), 0);
        break;
      case 11:
        r.expect(LENGTH, "Span.events");
        events.push(eventOf(r.message()));
        break;
      case 13:
        r.expect(LENGTH, "Span.links");
        links.push(linkOf(r.message()));
        break;
      case 15:
        r.expect(LENGTH, "Span.status");
        status = r.message();
        break;
      default:
        r.skip();
    }
  }
  const span: ReceivedSpan = {
    traceId: id(traceId, 16, "traceId"),
    spanId: id(spanId, 8, "spanId"),
    name,
    kind,
    startNs,
    endNs,
    attributes,
    events,
    links,
    status: status === undefined ? { code: 0 } : statusOf(status),
    resource,
    scope,
  };
  if (parent !== "") span.parentSpanId = id(parent, 8, "parentSpanId");
  return span;
}

/** The embedded messages of one repeated field (in order), and the reader of another field. */
function partsOf(r: WireReader, repeated: number, single: number): [WireReader[], WireReader | undefined] {
  const many: WireReader[] = [];
  let one: WireReader | undefined;
  for (let field = r.next(); field !== 0; field = r.next()) {
    if (field === repeated) {
      r.expect(LENGTH, `field ${repeated}`);
      many.push(r.message());
    } else if (field === single) {
      r.expect(LENGTH, `field ${single}`);
      one = r.message();
    } else r.skip();
  }
  return [many, one];
}

/**
 * Decodes a binary protobuf `ExportTraceServiceRequest` (Content-Type `application/x-protobuf`). A
 * span whose own fields cannot be used is counted as rejected.
 *
 * @throws OtlpDecodeError when the bytes are not such a message.
 */
export function decodeProtobuf(body: Uint8Array): DecodedRequest {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const out: DecodedRequest = { spans: [], rejected: 0 };
  try {
    const request = new WireReader(buffer);
    let i = -1;
    for (let field = request.next(); field !== 0; field = request.next()) {
      if (field !== 1) {
        request.skip();
        continue;
      }
      request.expect(LENGTH, "ExportTraceServiceRequest.resource_spans");
      i++;
      // ResourceSpans: resource (1), scope_spans (2), in any order on the wire.
      const [scopes, resourceReader] = partsOf(request.message(), 2, 1);
      const resource = resourceReader === undefined ? {} : attributesOf(resourceReader, 1);
      scopes.forEach((scopeSpans, j) => {
        // ScopeSpans: scope (1), spans (2).
        const [spans, scopeReader] = partsOf(scopeSpans, 2, 1);
        const scope = scopeReader === undefined ? { name: "" } : scopeOf(scopeReader);
        spans.forEach((spanReader, k) => {
          try {
            out.spans.push(spanOf(spanReader, resource, scope));
          } catch (error) {
            if (!(error instanceof TypeError)) throw error;
            out.rejected++;
            out.firstError ??= `resourceSpans[${i}].scopeSpans[${j}].spans[${k}].${error.message}`;
          }
        });
      });
    }
  } catch (error) {
    if (error instanceof WireError || error instanceof RangeError) throw new OtlpDecodeError(error.message);
    throw error;
  }
  return out;
}
