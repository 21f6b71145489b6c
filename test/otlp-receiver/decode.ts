/**
 * The test receiver's decoding: the viewer's own OTLP decoder (packages/viz/src/ingest/decode.ts),
 * strict as the collector is: a request with a span it cannot read is refused whole.
 *
 * @packageDocumentation
 */
import {
  type DecodedRequest,
  decodeJson,
  decodeProtobuf,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  type ReceivedSpan,
} from "../../packages/viz/src/ingest/decode.js";

export type { ReceivedSpan };
export { ExportTraceServiceRequest, ExportTraceServiceResponse };

function strict(decoded: DecodedRequest): ReceivedSpan[] {
  if (decoded.rejected > 0) throw new TypeError(decoded.firstError);
  return decoded.spans;
}

/** Decodes a binary protobuf `ExportTraceServiceRequest`; throws on anything it cannot read. */
export function decodeProtobufRequest(body: Uint8Array): ReceivedSpan[] {
  return strict(decodeProtobuf(body));
}

/** Parses an OTLP/JSON `ExportTraceServiceRequest`; throws on anything it cannot read. */
export function decodeJsonRequest(body: string): ReceivedSpan[] {
  return strict(decodeJson(body));
}
