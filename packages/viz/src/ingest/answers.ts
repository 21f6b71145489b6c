/**
 * What the OTLP receiver answers, in the encoding of the request (OTLP/HTTP: a protobuf request
 * gets protobuf, a JSON one JSON): the export response, with a partial success when some spans
 * could not be used, or a `google.rpc.Status` for a request it refuses.
 */
import type { ServerResponse } from "node:http";
import { encodeMessage } from "./wire.js";

export type Encoding = "protobuf" | "json";

export const PROTOBUF = "application/x-protobuf";
export const JSON_TYPE = "application/json";

/** gRPC status codes of the answers (google/rpc/code.proto). */
export const RPC = { invalidArgument: 3, resourceExhausted: 8, internal: 13 } as const;

function send(res: ServerResponse, status: number, encoding: Encoding, body: string | Uint8Array): void {
  res.writeHead(status, {
    "Content-Type": encoding === "protobuf" ? PROTOBUF : JSON_TYPE,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  res.end(body);
}

/** 200: every span was taken, or `rejected` of them could not be used (why: `message`). */
export function sendExported(
  res: ServerResponse,
  encoding: Encoding,
  rejected: number,
  message?: string,
): void {
  const partial = rejected > 0 ? { rejectedSpans: rejected, errorMessage: message ?? "" } : undefined;
  if (encoding === "protobuf") {
    // ExportTraceServiceResponse { partial_success (1): { rejected_spans (1), error_message (2) } }
    const body =
      partial === undefined
        ? Buffer.alloc(0)
        : encodeMessage([
            [
              1,
              encodeMessage([
                [1, partial.rejectedSpans],
                [2, partial.errorMessage],
              ]),
            ],
          ]);
    send(res, 200, encoding, body);
    return;
  }
  // proto3 JSON writes 64-bit integers as strings.
  const json =
    partial === undefined
      ? {}
      : {
          partialSuccess: {
            rejectedSpans: String(partial.rejectedSpans),
            errorMessage: partial.errorMessage,
          },
        };
  send(res, 200, encoding, JSON.stringify(json));
}

/** An error status with a `google.rpc.Status` body saying why. */
export function sendStatus(
  res: ServerResponse,
  status: number,
  encoding: Encoding,
  code: number,
  message: string,
): void {
  // google.rpc.Status { code (1), message (2) }
  if (encoding === "protobuf")
    send(
      res,
      status,
      encoding,
      encodeMessage([
        [1, code],
        [2, message],
      ]),
    );
  else send(res, status, encoding, JSON.stringify({ code, message }));
}
