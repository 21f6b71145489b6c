/**
 * A test OTLP/HTTP trace receiver on 127.0.0.1 that keeps the contract Jaeger v2 (the OpenTelemetry
 * collector's OTLP receiver) keeps on port 4318, so a test can point a real exporter at it and check
 * what arrived the way a user would check it in Jaeger.
 *
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import {
  decodeJsonRequest,
  decodeProtobufRequest,
  ExportTraceServiceResponse,
  type ReceivedSpan,
} from "./decode.js";
import { type JaegerTraces, toJaeger } from "./jaeger.js";

const gunzipAsync = promisify(gunzip);

const TRACES_PATH = "/v1/traces";
const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";
// An empty ExportTraceServiceResponse (no partial_success) encodes to zero bytes.
const EMPTY_PROTOBUF_RESPONSE = ExportTraceServiceResponse.encode({}).finish();

/** What the receiver saw for one HTTP request (any path or method), for diagnosing a failing test. */
export interface RequestRecord {
  method: string;
  path: string;
  /** The Content-Type header as sent, including parameters such as `charset`. */
  contentType?: string;
  contentEncoding?: string;
  /** Body size on the wire (before gunzip); 0 when the body was not read. */
  bodyBytes: number;
  /** The status answered: 0 while the request is in flight, -1 if the client aborted the upload. */
  status: number;
  /** Spans decoded from this request (0 unless it succeeded). */
  spans: number;
}

/** A running receiver. Every instance is independent: no global state. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT`: what an SDK takes as its OTLP endpoint base. */
  readonly url: string;
  /** `url + "/v1/traces"`: what an exporter's `url` option takes. */
  readonly tracesUrl: string;
  /** Every span received so far, in arrival order (the same array instance for the receiver's life). */
  readonly spans: ReceivedSpan[];
  /** Number of successful export requests. */
  readonly requests: number;
  /** Every HTTP request seen, in order, with its outcome. */
  readonly requestLog: readonly RequestRecord[];
  /**
   * Answers every POST to /v1/traces with `status` (e.g. 500, 503), storing nothing, until set back
   * to `null`. Mind that exporters retry 429/502/503/504 with backoff before giving up.
   */
  failWith(status: number | null): void;
  /**
   * Resolves with a snapshot of the spans once at least `count` have arrived; rejects after
   * `timeoutMs` (default 10000) with a message naming `count` and how many were received.
   */
  waitForSpans(count: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  /** The received spans as Jaeger UI's JSON would show them. */
  jaeger(): JaegerTraces;
  /** Forgets received spans, counters and the request log (the failure mode is kept). */
  reset(): void;
  /** Stops listening and closes open (keep-alive) connections; rejects pending `waitForSpans`. */
  close(): Promise<void>;
}

/** Options of `startOtlpReceiver`. */
export interface ReceiverOptions {
  port?: number;
  /** Milliseconds to wait before reading an export request, given its index (0 for the first). */
  delayMs?: (request: number) => number;
}

interface Waiter {
  count: number;
  resolve: (spans: ReceivedSpan[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Buffers the whole body; Buffer chunks keep tens of MB cheap (no string concatenation). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("request aborted"));
    });
  });
}

function reply(res: ServerResponse, status: number, contentType: string, body: string | Uint8Array): number {
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
  return status;
}

function text(res: ServerResponse, status: number, message: string): number {
  // The collector answers routing/media-type errors in text/plain; decode errors get a google.rpc.Status
  // in the request's encoding, which exporters only log, so plain text is kept here for every error.
  return reply(res, status, "text/plain; charset=utf-8", `${message}\n`);
}

/**
 * Starts a receiver on 127.0.0.1.
 *
 * @param options.port - port to listen on; 0 (default) picks a free one.
 * @param options.delayMs - how long it waits before reading each export request (a slow backend).
 */
export async function startOtlpReceiver(options: ReceiverOptions = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requestLog: RequestRecord[] = [];
  let requests = 0;
  let failStatus: number | null = null;
  let exportRequests = 0;
  let waiters: Waiter[] = [];

  function notify(): void {
    const ready = waiters.filter((w) => spans.length >= w.count);
    if (ready.length === 0) return;
    waiters = waiters.filter((w) => spans.length < w.count);
    for (const w of ready) {
      clearTimeout(w.timer);
      w.resolve(spans.slice());
    }
  }

  /** Handles one request, filling in `record` with the outcome. */
  async function handle(req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> {
    if (record.path !== TRACES_PATH) {
      record.status = text(res, 404, "404 page not found");
      return;
    }
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      record.status = text(res, 405, "405 method not allowed, supported: [POST]");
      return;
    }
    const delay = options.delayMs?.(exportRequests++) ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    // Media type parameters (charset=utf-8) are allowed, as in the collector.
    const mediaType = (record.contentType ?? "").split(";")[0]!.trim().toLowerCase();
    const format = mediaType === PROTOBUF ? "protobuf" : mediaType === JSON_TYPE ? "json" : undefined;
    // Read the body even when failing: answering before the upload ends can reset a large request,
    // which exporters would report as a network error rather than the status we mean to send.
    const raw = await readBody(req);
    record.bodyBytes = raw.length;
    if (failStatus !== null) {
      record.status = text(res, failStatus, `${failStatus} failure injected by the test receiver`);
      return;
    }
    if (format === undefined) {
      const supported = `${JSON_TYPE}, ${PROTOBUF}`;
      record.status = text(res, 415, `415 unsupported media type, supported: [${supported}]`);
      return;
    }
    let received: ReceivedSpan[];
    try {
      const encoding = (record.contentEncoding ?? "").trim().toLowerCase();
      if (encoding !== "" && encoding !== "identity" && encoding !== "gzip") {
        throw new Error(`unsupported Content-Encoding ${JSON.stringify(encoding)}`);
      }
      const body = encoding === "gzip" ? await gunzipAsync(raw) : raw;
      received =
        format === "protobuf" ? decodeProtobufRequest(body) : decodeJsonRequest(body.toString("utf8"));
    } catch (error) {
      record.status = text(res, 400, `400 bad request: ${(error as Error).message}`);
      return;
    }
    // A loop, not push(...received): spreading 100k+ arguments overflows the call stack.
    for (const span of received) spans.push(span);
    requests++;
    record.spans = received.length;
    notify();
    record.status =
      format === "protobuf"
        ? reply(res, 200, PROTOBUF, EMPTY_PROTOBUF_RESPONSE)
        : reply(res, 200, JSON_TYPE, "{}");
  }

  const server = createServer((req, res) => {
    const record: RequestRecord = {
      method: req.method ?? "",
      path: new URL(req.url ?? "/", "http://127.0.0.1").pathname,
      bodyBytes: 0,
      status: 0,
      spans: 0,
    };
    if (req.headers["content-type"] !== undefined) record.contentType = req.headers["content-type"];
    if (req.headers["content-encoding"] !== undefined)
      record.contentEncoding = req.headers["content-encoding"];
    requestLog.push(record);
    handle(req, res, record).catch((error: unknown) => {
      // Only an aborted upload gets here; nobody is left to answer, so just drop the socket.
      record.status = -1;
      res.destroy(error as Error);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    tracesUrl: `${url}${TRACES_PATH}`,
    spans,
    get requests() {
      return requests;
    },
    requestLog,
    failWith(status) {
      if (status !== null && !(Number.isInteger(status) && status >= 200 && status <= 599)) {
        throw new RangeError(`failWith: expected an HTTP status 200..599 or null, got ${status}`);
      }
      failStatus = status;
    },
    waitForSpans(count, timeoutMs = 10_000) {
      if (spans.length >= count) return Promise.resolve(spans.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          const message = `waitForSpans: expected at least ${count} span(s) within ${timeoutMs} ms, received ${spans.length}`;
          reject(new Error(`${message} (requests: ${requestLog.map((r) => r.status).join(", ") || "none"})`));
        }, timeoutMs);
        const waiter: Waiter = { count, resolve, reject, timer };
        waiters.push(waiter);
      });
    },
    jaeger: () => toJaeger(spans),
    reset() {
      // Truncate in place so references to `spans` held by a test stay live.
      spans.length = 0;
      requestLog.length = 0;
      requests = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        for (const w of waiters) {
          clearTimeout(w.timer);
          w.reject(
            new Error(`waitForSpans: receiver closed with ${spans.length} of ${w.count} span(s) received`),
          );
        }
        waiters = [];
        server.close((error) => (error ? reject(error) : resolve()));
        // close() alone waits for idle keep-alive sockets (exporters keep them) to time out.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
