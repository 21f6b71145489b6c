/**
 * The test receiver's decoding: the viewer's own OTLP decoders (packages/viz/src/ingest/), strict as
 * the collector is: a request with a span it cannot read is refused whole. Also the protobufjs types
 * of the OTLP messages (from the .proto the viewer's decoder follows), for tests that write requests.
 *
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import {
  type DecodedRequest,
  decodeJson,
  decodeProtobuf,
  type ReceivedSpan,
} from "../../packages/viz/src/ingest/decode.js";

export type { ReceivedSpan };

const root = protobuf.parse(
  readFileSync(new URL("../../packages/viz/src/ingest/otlp.proto", import.meta.url), "utf8"),
).root;

/** protobufjs type of `ExportTraceServiceRequest` (to write request bodies). */
export const ExportTraceServiceRequest: protobuf.Type = root.lookupType("otlp.v1.ExportTraceServiceRequest");
/** protobufjs type of `ExportTraceServiceResponse` (what a successful protobuf export is answered with). */
export const ExportTraceServiceResponse: protobuf.Type = root.lookupType(
  "otlp.v1.ExportTraceServiceResponse",
);
/** protobufjs type of `google.rpc.Status` (the body of an error answer). */
export const RpcStatus: protobuf.Type = root.lookupType("otlp.v1.RpcStatus");

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
