import { spawn } from "node:child_process";
import { startViewer } from "../../api.js";
import { checkJaegerUrl } from "../../jaeger-url.js";
import { safeLine } from "../../safe-text.js";

/** Options of `runtrace viz`. */
export interface VizOptions {
  dir: string;
  /** The directory was just made by `--create`. */
  created: boolean;
  port: number;
  host: string;
  open: boolean;
  jaegerUrl: string | undefined;
  /** `--otlp`: the port of the OTLP/HTTP receiver, when it is on. */
  otlp: number | undefined;
}

/** Opens a URL with the platform's opener; says so (and goes on) when there is none. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", '""', url]]
        : ["xdg-open", [url]];
  const fail = (why: string) =>
    process.stderr.write(`Could not open a browser (${why}); open ${url} yourself.\n`);
  try {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    child.on("error", (error) => fail(`${command}: ${error.message}`));
    child.unref();
  } catch (error) {
    fail(String(error));
  }
}

/** `runtrace viz`: serves the viewer until Ctrl-C. */
export async function viz(options: VizOptions): Promise<void> {
  if (options.jaegerUrl !== undefined) checkJaegerUrl(options.jaegerUrl, "--jaeger-url");
  const viewer = await startViewer({
    dir: options.dir,
    port: options.port,
    host: options.host,
    ...(options.jaegerUrl !== undefined ? { jaegerUrl: options.jaegerUrl } : {}),
    ...(options.otlp !== undefined ? { otlp: { port: options.otlp } } : {}),
  });
  process.stdout.write(`runtrace viewer: ${viewer.url}\n`);
  if (viewer.otlpUrl !== undefined) {
    process.stdout.write(
      `OTLP/HTTP traces: ${viewer.otlpUrl}/v1/traces (point any OpenTelemetry SDK there: OTEL_EXPORTER_OTLP_ENDPOINT=${viewer.otlpUrl})\n`,
    );
  }
  process.stdout.write(
    options.created
      ? `Created ${safeLine(viewer.dir)}: sessions recorded there will appear as they start. Press Ctrl-C to stop.\n`
      : `Sessions from ${safeLine(viewer.dir)}. Press Ctrl-C to stop.\n`,
  );
  if (options.host !== "127.0.0.1" && options.host !== "localhost" && options.host !== "::1") {
    process.stderr.write(
      `Listening on ${options.host}: anyone who can reach this address can read the recorded inputs and outputs.\n`,
    );
  }
  if (options.open) openBrowser(viewer.url);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void viewer.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
