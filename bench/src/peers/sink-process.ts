/**
 * The local backend the peers benchmark exports to, run as a child process so that receiving and
 * counting costs the measured process no CPU. On 127.0.0.1 it takes:
 * - OTLP/HTTP protobuf (`POST /v1/traces`), counting the spans of each request;
 * - LangSmith's ingestion endpoints (`GET /info`, `POST /runs/multipart`, `POST /runs/batch`),
 *   counting the distinct runs created or updated.
 * `GET /count` answers what arrived since the last `/count`; `GET /wait?spans=N` (or `runs=N`) answers
 * once that many have arrived (or after `timeoutMs`), saying whether it had to wait. It sends its URL
 * to the parent over IPC once listening, and exits when the parent goes away.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { countOtlpSpans } from "./otlp-spans.js";

let spans = 0;
let runs = new Set<string>();

/** Requests waiting for a count: each checks whether it is reached, and answers if so. */
const waiting = new Set<() => boolean>();

function arrived(): void {
  for (const check of waiting) if (check()) waiting.delete(check);
}

function wait(url: URL, answer: (body: { reached: boolean; waited: boolean }) => void): void {
  const want = Number(url.searchParams.get("spans") ?? url.searchParams.get("runs"));
  const count = () => (url.searchParams.has("spans") ? spans : runs.size);
  if (count() >= want) {
    answer({ reached: true, waited: false });
    return;
  }
  const timer = setTimeout(
    () => {
      waiting.delete(check);
      answer({ reached: false, waited: true });
    },
    Number(url.searchParams.get("timeoutMs") ?? 5000),
  );
  const check = () => {
    if (count() < want) return false;
    clearTimeout(timer);
    answer({ reached: true, waited: true });
    return true;
  };
  waiting.add(check);
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      resolve(req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw);
    });
    req.on("error", reject);
  });
}

// Multipart parts are named `post.<run id>`, `patch.<run id>`, `post.<run id>.inputs`, ...
const RUN_PART = /name="(?:post|patch)\.([0-9a-f-]{36})"/g;

function countLangSmithRuns(path: string, data: Buffer): void {
  if (path === "/runs/multipart") {
    for (const match of data.toString("latin1").matchAll(RUN_PART)) runs.add(match[1]!);
  } else {
    const batch = JSON.parse(data.toString("utf8")) as { post?: { id: string }[]; patch?: { id: string }[] };
    for (const run of [...(batch.post ?? []), ...(batch.patch ?? [])]) runs.add(run.id);
  }
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://sink");
  const path = url.pathname;
  const json = (body: unknown) =>
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  try {
    const data = await body(req);
    if (req.method === "POST" && path === "/v1/traces") {
      spans += countOtlpSpans(data);
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      arrived();
    } else if (req.method === "POST" && (path === "/runs/multipart" || path === "/runs/batch")) {
      countLangSmithRuns(path, data);
      json({});
      arrived();
    } else if (req.method === "GET" && path === "/info") {
      // No server info: the client keeps its defaults (multipart, no compression).
      json({});
    } else if (req.method === "GET" && path === "/count") {
      json({ spans, runs: runs.size });
      spans = 0;
      runs = new Set();
    } else if (req.method === "GET" && path === "/wait") {
      wait(url, json);
    } else {
      res.writeHead(404).end();
    }
  } catch (error) {
    res.writeHead(400, { "content-type": "text/plain" }).end(String(error));
  }
});

// The bench's own requests (`/count` before a sample, `/wait` after it) reuse one keep-alive
// connection; a sample that outlasts Node's 5 s default has the server close it just as the next
// request goes out ("other side closed"). Idle connections stay open for a minute instead.
server.keepAliveTimeout = 60_000;

server.listen(0, "127.0.0.1", () => {
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on("disconnect", () => process.exit(0));
