import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { crossSiteRefusal } from "../server/cross-site.js";
import { allowedHosts, foreignHostRefusal } from "../server/host-check.js";
import { baseHeaders, sendError } from "../server/http.js";
import { type Encoding, JSON_TYPE, PROTOBUF, RPC, sendExported, sendStatus } from "./answers.js";
import { type DecodedRequest, decodeJson, decodeProtobuf, OtlpDecodeError } from "./decode.js";
import { spanDataOf } from "./span-data.js";
import type { TraceSessions } from "./traces.js";

const gunzipAsync = promisify(gunzip);

/** Where OTLP/HTTP exporters send traces (the endpoint plus this path). */
export const TRACES_PATH = "/v1/traces";
/** The largest request body taken, before and after gunzip. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Everything the receiver needs, already checked by `startViewer`. */
export interface OtlpReceiverConfig {
  traces: TraceSessions;
  port: number;
  maxBodyBytes: number;
}

/** A listening OTLP/HTTP receiver. */
export interface OtlpReceiver {
  /** The endpoint, `http://127.0.0.1:PORT` (what `OTEL_EXPORTER_OTLP_ENDPOINT` takes). */
  url: string;
  port: number;
  close(): Promise<void>;
}

class TooLarge extends Error {}

/** The whole body, or `TooLarge` as soon as it passes `max` bytes. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | undefined) => {
      if (done) return;
      done = true;
      if (error === undefined) resolve(Buffer.concat(chunks, size));
      else reject(error);
    };
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) finish(new TooLarge());
      else chunks.push(chunk);
    });
    req.on("end", () => finish(undefined));
    req.on("error", (error) => finish(error));
    req.on("close", () => {
      if (!req.complete) finish(new Error("the request was aborted"));
    });
  });
}

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/** 413, and the connection is closed rather than the rest of a big body read. */
function tooLarge(req: IncomingMessage, res: ServerResponse, encoding: Encoding, max: number): void {
  res.setHeader("Connection", "close");
  res.on("finish", () => req.destroy());
  sendStatus(
    res,
    413,
    encoding,
    RPC.resourceExhausted,
    `The request body is over ${max} bytes (after gunzip too): send smaller batches (the SDK's batch span processor's maxExportBatchSize).`,
  );
}

/** Starts the OTLP/HTTP receiver on 127.0.0.1 (never another address: it writes into the viewer's directory). */
export async function startOtlpReceiver(config: OtlpReceiverConfig): Promise<OtlpReceiver> {
  const { traces, maxBodyBytes: max } = config;
  let allowed = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    baseHeaders(res);
    const foreign = foreignHostRefusal(req, allowed, "this receiver", "Send traces to that address");
    if (foreign !== undefined) return sendError(res, 403, "forbidden_host", foreign);
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const path = q === -1 ? raw : raw.slice(0, q);
    const refusal = crossSiteRefusal(req, path);
    if (refusal !== undefined) return sendError(res, 403, "cross_site", refusal);
    if (path !== TRACES_PATH) {
      return sendError(
        res,
        404,
        "not_found",
        `No route ${path.slice(0, 100)}: send traces to POST ${TRACES_PATH}.`,
      );
    }
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      return sendError(
        res,
        405,
        "method_not_allowed",
        `${req.method} is not allowed: send traces with POST.`,
      );
    }
    const type = mediaType(req.headers["content-type"]);
    const encoding: Encoding | undefined =
      type === PROTOBUF ? "protobuf" : type === JSON_TYPE ? "json" : undefined;
    if (encoding === undefined) {
      return sendError(
        res,
        415,
        "unsupported_media_type",
        `Content-Type ${JSON.stringify(type.slice(0, 100))} is not OTLP: send ${PROTOBUF} or ${JSON_TYPE}.`,
      );
    }
    const contentEncoding = (req.headers["content-encoding"] ?? "").trim().toLowerCase();
    if (contentEncoding !== "" && contentEncoding !== "identity" && contentEncoding !== "gzip") {
      return sendError(
        res,
        415,
        "unsupported_encoding",
        `Content-Encoding ${JSON.stringify(contentEncoding.slice(0, 100))} is not supported: send gzip or no encoding.`,
      );
    }
    if (Number(req.headers["content-length"]) > max) return tooLarge(req, res, encoding, max);
    let body: Buffer;
    try {
      body = await readBody(req, max);
    } catch (error) {
      if (error instanceof TooLarge) return tooLarge(req, res, encoding, max);
      throw error;
    }
    if (contentEncoding === "gzip") {
      try {
        body = await gunzipAsync(body, { maxOutputLength: max });
      } catch (error) {
        if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
          return tooLarge(req, res, encoding, max);
        return sendStatus(
          res,
          400,
          encoding,
          RPC.invalidArgument,
          `The gzip body could not be read: ${String(error)}`,
        );
      }
    }
    let decoded: DecodedRequest;
    try {
      decoded = encoding === "protobuf" ? decodeProtobuf(body) : decodeJson(body.toString("utf8"));
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      const what = encoding === "protobuf" ? "a protobuf" : "an OTLP/JSON";
      return sendStatus(
        res,
        400,
        encoding,
        RPC.invalidArgument,
        `The body is not ${what} ExportTraceServiceRequest: ${error.message}`,
      );
    }
    let rejected = decoded.rejected;
    let why = decoded.firstError;
    const spans = [];
    for (const span of decoded.spans) {
      // An all-zero id is an empty one on the wire: such a span cannot be put in any trace.
      if (/^0+$/.test(span.traceId) || /^0+$/.test(span.spanId)) {
        rejected++;
        why ??= `a span (${JSON.stringify(span.name.slice(0, 100))}) has an empty trace id or span id`;
        continue;
      }
      spans.push(spanDataOf(span));
    }
    await traces.prepare(spans);
    traces.add(spans);
    // Answered once the lines are written: a success means the spans are in the files.
    await traces.flush();
    sendExported(res, encoding, rejected, why);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || req.destroyed) {
        res.destroy();
        return;
      }
      sendError(res, 500, "internal_error", error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => console.error(`runtrace OTLP receiver: ${error.message}`));
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts("127.0.0.1", port);
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => traces.close());
      return closing;
    },
  };
}
