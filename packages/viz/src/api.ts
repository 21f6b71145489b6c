import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkOptionKeys, defaultSessionDir, InvalidOptionsError } from "@runtrace/core";
import { DEFAULT_MAX_BODY_BYTES, type OtlpReceiver, startOtlpReceiver } from "./ingest/receiver.js";
import { TraceSessions } from "./ingest/traces.js";
import { checkJaegerUrl } from "./jaeger-url.js";
import { sessionDirState } from "./load/session-dir.js";
import { SessionSource } from "./load/sessions.js";
import { CLIENT_DIR } from "./paths.js";
import { startServer } from "./server/server.js";
import { ClientFiles } from "./server/static.js";

/** Options of the OTLP/HTTP receiver of `startViewer` (`otlp`). */
export interface OtlpOptions {
  /** The port, on 127.0.0.1 (the receiver listens nowhere else); 0 picks any free port. @default 4318 */
  port?: number;
  /** The largest request body taken, in bytes, before and after gunzip (413 beyond). @default 33554432 (32 MiB) */
  maxBodyBytes?: number;
  /**
   * How long a span waits for its parent span before it is shown under its session's root, with a
   * `runtrace.warning` attribute saying so. @default 10000
   */
  orphanWaitMs?: number;
}

/** Options of `startViewer`. */
export interface ViewerOptions {
  /**
   * The directory of session files. It must exist, unless `create` is set.
   * @default process.env.RUNTRACE_DIR or ".runtrace"
   */
  dir?: string;
  /** Create `dir` (and its parents) when it does not exist, to show sessions as they are recorded. @default false */
  create?: boolean;
  /** The port; 0 picks any free port. @default 4747 */
  port?: number;
  /**
   * The address to listen on. Anything but loopback exposes recorded inputs and outputs to the
   * network. @default "127.0.0.1"
   */
  host?: string;
  /**
   * Base URL of a Jaeger UI, for "open in Jaeger" links (`{jaegerUrl}/trace/{traceId}`).
   * @default process.env.RUNTRACE_JAEGER_URL or none
   */
  jaegerUrl?: string | null;
  /** Where the built browser app is (for development and tests). @default the package's `dist/client/` */
  clientDir?: string | URL;
  /**
   * Also accept OpenTelemetry traces over OTLP/HTTP (`POST /v1/traces`, protobuf or JSON) on
   * 127.0.0.1: each trace becomes a session in `dir` (created when missing), shown live while its
   * spans arrive. `true` takes the defaults. @default off
   */
  otlp?: boolean | OtlpOptions;
}

const VIEWER_OPTIONS = Object.keys({
  dir: true,
  port: true,
  host: true,
  jaegerUrl: true,
  clientDir: true,
  create: true,
  otlp: true,
} satisfies Record<keyof ViewerOptions, true>);

const OTLP_OPTIONS = Object.keys({
  port: true,
  maxBodyBytes: true,
  orphanWaitMs: true,
} satisfies Record<keyof OtlpOptions, true>);

/** A running viewer. */
export interface Viewer {
  /** Where to open it, such as `http://127.0.0.1:4747/`. */
  readonly url: string;
  /** The port it listens on (the one picked when `port` was 0). */
  readonly port: number;
  /** The absolute directory it reads sessions from. */
  readonly dir: string;
  /**
   * With `otlp`: the OTLP/HTTP endpoint, such as `http://127.0.0.1:4318` (what
   * `OTEL_EXPORTER_OTLP_ENDPOINT` takes; traces go to its `/v1/traces`).
   */
  readonly otlpUrl?: string;
  /** Stops the server: ends live streams, stops watching files and closes connections. */
  close(): Promise<void>;
}

/**
 * Starts the viewer's server (what `runtrace viz` runs): the browser app, a JSON API over the
 * sessions in `dir`, and live streams of running sessions. Listens on 127.0.0.1 unless told
 * otherwise, answers only requests addressed to it (Host check), and serves HTML under a strict
 * Content-Security-Policy. With `otlp`, it is also a local trace backend for any OpenTelemetry
 * application: traces sent to `otlpUrl` are stored as sessions in `dir` and shown live.
 *
 * @example
 * ```ts
 * import { startViewer } from "@runtrace/viz";
 * const viewer = await startViewer({ dir: ".runtrace", port: 0 });
 * console.log(`Open ${viewer.url}`);
 * // ...
 * await viewer.close();
 * ```
 */
export async function startViewer(options: ViewerOptions = {}): Promise<Viewer> {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `startViewer expected options { dir?, port?, host?, jaegerUrl?, otlp? }, got ${JSON.stringify(options)}.`,
    );
  }
  checkOptionKeys("startViewer", options, VIEWER_OPTIONS);
  const dir = options.dir ?? defaultSessionDir().dir;
  if (typeof dir !== "string" || dir === "") {
    throw new InvalidOptionsError(
      `startViewer: expected \`dir\` to be a directory path, got ${JSON.stringify(dir)}.`,
    );
  }
  const port = options.port ?? 4747;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionsError(
      `startViewer: expected \`port\` to be an integer from 0 (any free port) to 65535, got ${JSON.stringify(port)}.`,
    );
  }
  const host = options.host ?? "127.0.0.1";
  if (typeof host !== "string" || host === "" || /[/\s]/.test(host)) {
    throw new InvalidOptionsError(
      `startViewer: expected \`host\` to be an address such as 127.0.0.1, got ${JSON.stringify(host)}.`,
    );
  }
  const jaegerUrl =
    options.jaegerUrl !== undefined
      ? checkJaegerUrl(options.jaegerUrl, "startViewer `jaegerUrl`")
      : checkJaegerUrl(process.env.RUNTRACE_JAEGER_URL, "the RUNTRACE_JAEGER_URL environment variable");
  if (options.create !== undefined && typeof options.create !== "boolean") {
    throw new InvalidOptionsError(
      `startViewer: expected \`create\` to be true or false, got ${JSON.stringify(options.create)}.`,
    );
  }
  const otlp = checkOtlp(options.otlp);
  const clientDir = options.clientDir ?? CLIENT_DIR;
  const absolute = resolve(dir);
  // Received traces are written there: with `otlp`, a missing directory is made.
  const state = await sessionDirState(absolute, options.create ?? otlp !== undefined);
  if (state === "missing" || state === "not a directory") {
    const given = absolute === dir ? "" : ` (dir: ${JSON.stringify(dir)})`;
    throw new InvalidOptionsError(
      state === "missing"
        ? `startViewer: no directory ${absolute}${given}. Pass \`dir\` the directory your sessions are recorded in (the \`dir\` of rt.jsonlStore, ".runtrace" by default, under the program's working directory), or \`create: true\` to create it and show sessions as they are recorded.`
        : `startViewer: ${absolute}${given} is not a directory. Pass \`dir\` the directory your sessions are recorded in.`,
    );
  }
  const source = new SessionSource({ dir });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      source,
      client: new ClientFiles(clientDir instanceof URL ? fileURLToPath(clientDir) : clientDir),
      host,
      port,
      jaegerUrl,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE") {
      throw new InvalidOptionsError(
        `port ${port} on ${host} is in use (another viewer?). Pick another port, or 0 for any free one (\`runtrace viz --port 0\`).`,
        { cause: error },
      );
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
      throw new InvalidOptionsError(
        `startViewer: cannot listen on host ${JSON.stringify(host)}: no such address on this machine. Use 127.0.0.1 (the default).`,
      );
    }
    throw error;
  }
  let receiver: OtlpReceiver | undefined;
  if (otlp !== undefined) {
    const traces = new TraceSessions({ dir: absolute, orphanWaitMs: otlp.orphanWaitMs });
    try {
      receiver = await startOtlpReceiver({ traces, port: otlp.port, maxBodyBytes: otlp.maxBodyBytes });
    } catch (error) {
      await traces.close();
      await server.close();
      source.close();
      if ((error as { code?: string }).code === "EADDRINUSE") {
        throw new InvalidOptionsError(
          `OTLP port ${otlp.port} on 127.0.0.1 is in use (a collector, Jaeger, or another viewer?). Stop it, or pick another port (\`runtrace viz --otlp 4319\`, or \`otlp: { port: 0 }\` for any free one) and point OTEL_EXPORTER_OTLP_ENDPOINT there.`,
          { cause: error },
        );
      }
      throw error;
    }
  }
  const viewer: Viewer = {
    url: server.url,
    port: server.port,
    dir: source.dir,
    close: async () => {
      // The receiver first: what it holds is written before the viewer stops reading.
      await receiver?.close();
      await server.close();
      source.close();
    },
  };
  return receiver === undefined ? viewer : { ...viewer, otlpUrl: receiver.url };
}

/** The receiver's options, checked, with their defaults; `undefined` when it is off. */
function checkOtlp(otlp: ViewerOptions["otlp"]): Required<OtlpOptions> | undefined {
  if (otlp === undefined || otlp === false) return undefined;
  const given: OtlpOptions = otlp === true ? {} : otlp;
  if (typeof given !== "object" || given === null) {
    throw new InvalidOptionsError(
      `startViewer: expected \`otlp\` to be true or { port?, maxBodyBytes?, orphanWaitMs? }, got ${JSON.stringify(otlp)}.`,
    );
  }
  checkOptionKeys("startViewer `otlp`", given, OTLP_OPTIONS);
  const whole = (name: keyof OtlpOptions, value: unknown, min: number, max: number, fallback: number) => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      throw new InvalidOptionsError(
        `startViewer: expected \`otlp.${name}\` to be an integer from ${min} to ${max}, got ${JSON.stringify(value)}.`,
      );
    }
    return value as number;
  };
  return {
    port: whole("port", given.port, 0, 65535, 4318),
    maxBodyBytes: whole("maxBodyBytes", given.maxBodyBytes, 1024, 2 ** 31 - 1, DEFAULT_MAX_BODY_BYTES),
    orphanWaitMs: whole("orphanWaitMs", given.orphanWaitMs, 0, 3_600_000, 10_000),
  };
}
