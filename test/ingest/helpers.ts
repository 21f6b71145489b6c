/**
 * What the OTLP-into-the-viewer tests share: a viewer with its receiver on free ports over a temp
 * directory, raw POSTs (any header, any body), OTLP requests written by hand, and child programs.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as rt from "@runtrace/core";
import { startViewer, type Viewer } from "../../packages/viz/src/index.js";
import { ExportTraceServiceRequest } from "../otlp-receiver/decode.js";

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const cleanups: Array<() => Promise<void> | void> = [];

/** Closes the viewers and removes the directories made since the last call. */
export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "runtrace-ingest-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A viewer over a new temp directory, with its OTLP receiver; both on free ports. */
export async function viewerWithOtlp(
  otlp: { maxBodyBytes?: number; orphanWaitMs?: number } = {},
): Promise<Viewer & { otlpUrl: string; otlpPort: number }> {
  const dir = tempDir();
  const viewer = await startViewer({ dir, port: 0, otlp: { port: 0, ...otlp } });
  cleanups.push(() => viewer.close());
  return { ...viewer, otlpUrl: viewer.otlpUrl!, otlpPort: Number(new URL(viewer.otlpUrl!).port) };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with exactly these headers and body (fetch would fix the Host and the method's body). */
export function raw(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: options.path ?? "/v1/traces",
        method: options.method ?? "POST",
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

export const TRACE = "5b8efff798038103d269b633813fc60c";
const T0 = 1_795_369_671_000n * 1_000_000n;

/** An OTLP span as a protobufjs message (ids as bytes): `id`/`parent` name 16-hex-digit span ids. */
export function protoSpan(id: string, parent: string | undefined, name: string, startMs = 0, endMs = 10) {
  return {
    traceId: Buffer.from(TRACE, "hex"),
    spanId: Buffer.from(id, "hex"),
    ...(parent === undefined ? {} : { parentSpanId: Buffer.from(parent, "hex") }),
    name,
    kind: 1,
    startTimeUnixNano: String(T0 + BigInt(startMs) * 1_000_000n),
    endTimeUnixNano: String(T0 + BigInt(endMs) * 1_000_000n),
    attributes: [{ key: "step", value: { stringValue: name } }],
  };
}

/** An ExportTraceServiceRequest of these spans from service `shop`, as protobuf bytes. */
export function protobufBody(spans: unknown[]): Buffer {
  const message = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "shop" } }] },
        scopeSpans: [{ scope: { name: "test" }, spans }],
      },
    ],
  };
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}

/** The same as OTLP/JSON. */
export function jsonBody(spans: Array<Record<string, unknown>>): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "shop" } }] },
        scopeSpans: [{ scope: { name: "test" }, spans }],
      },
    ],
  });
}

/** The session a trace was stored as, read the way `runtrace show` reads it. */
export async function storedTrace(viewer: Viewer, traceId: string): Promise<rt.CallTree | undefined> {
  for (const summary of await rt.listSessionFiles(viewer.dir)) {
    const tree = await rt.readSession(summary.file!);
    if (tree.root.traceId === traceId) return tree;
  }
  return undefined;
}

export const run = promisify(execFile);

/** Runs a fixture program with node; resolves with what it printed. */
export async function runFixture(
  name: string,
  env: Record<string, string>,
  timeout = 120_000,
): Promise<string> {
  const { stdout } = await run(process.execPath, [join(FIXTURES, name)], {
    env: { ...process.env, ...env },
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
