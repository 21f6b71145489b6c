import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkOptionKeys, defaultSessionDir, InvalidOptionsError } from "@runtrace/core";
import { checkJaegerUrl } from "./jaeger-url.js";
import { sessionDirState } from "./load/session-dir.js";
import { SessionSource } from "./load/sessions.js";
import { CLIENT_DIR } from "./paths.js";
import { startServer } from "./server/server.js";
import { ClientFiles } from "./server/static.js";

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
}

const VIEWER_OPTIONS = Object.keys({
  dir: true,
  port: true,
  host: true,
  jaegerUrl: true,
  clientDir: true,
  create: true,
} satisfies Record<keyof ViewerOptions, true>);

/** A running viewer. */
export interface Viewer {
  /** Where to open it, such as `http://127.0.0.1:4747/`. */
  readonly url: string;
  /** The port it listens on (the one picked when `port` was 0). */
  readonly port: number;
  /** The absolute directory it reads sessions from. */
  readonly dir: string;
  /** Stops the server: ends live streams, stops watching files and closes connections. */
  close(): Promise<void>;
}

/**
 * Starts the viewer's server (what `runtrace viz` runs): the browser app, a JSON API over the
 * sessions in `dir`, and live streams of running sessions. Listens on 127.0.0.1 unless told
 * otherwise, answers only requests addressed to it (Host check), and serves HTML under a strict
 * Content-Security-Policy.
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
      `startViewer expected options { dir?, port?, host?, jaegerUrl? }, got ${JSON.stringify(options)}.`,
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
  const clientDir = options.clientDir ?? CLIENT_DIR;
  const absolute = resolve(dir);
  const state = await sessionDirState(absolute, options.create === true);
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
  return {
    url: server.url,
    port: server.port,
    dir: source.dir,
    close: async () => {
      await server.close();
      source.close();
    },
  };
}
