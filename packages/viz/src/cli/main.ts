#!/usr/bin/env node
/**
 * The `runtrace` command. Commands are thin and import their modules only when they run, so
 * `runtrace --help` or `runtrace ls` do not load the server or the exporters.
 */
import { Command } from "commander";
import { packageVersion } from "../paths.js";
import { safeText } from "../safe-text.js";
import { CliError, report } from "./errors.js";
import type { DirRequest } from "./session-dir.js";

/** The sessions directory of a command, checked; core is loaded only once a command runs. */
async function checkedSessionDir(request: DirRequest) {
  const { checkedSessionDir: check } = await import("./session-dir.js");
  return check(request);
}

const DIR_HELP = "directory of session files (default: $RUNTRACE_DIR or .runtrace)";
const CREATE_HELP = "create the directory when it does not exist, and wait for sessions there";

function wholeNumber(flag: string, min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      throw new CliError(
        `${flag} expects a whole number from ${min} to ${max}, got ${JSON.stringify(text)}.`,
      );
    }
    return value;
  };
}

/** Runs a command's action, turning failures into one line on stderr and exit code 1. */
function run<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      report(error);
    }
  };
}

const program = new Command("runtrace")
  .description("See what your runtrace sessions did: list, show, follow, export, or open the web viewer.")
  .version(packageVersion(), "-v, --version")
  .showHelpAfterError("(run `runtrace --help` for usage)")
  // What commander prints (help, a bad option) can quote what was typed: no control character raw.
  .configureOutput({
    writeOut: (text) => process.stdout.write(safeText(text)),
    writeErr: (text) => process.stderr.write(safeText(text)),
  });

program
  .command("viz")
  .description("serve the web viewer for the sessions in a directory (until Ctrl-C)")
  .option("--dir <dir>", DIR_HELP)
  .option("--create", CREATE_HELP)
  .option("--port <port>", "port to listen on; 0 picks a free one (default: 4747)")
  .option("--host <host>", "address to listen on (default: 127.0.0.1)")
  .option("--open", "open the viewer in a browser")
  .option("--jaeger-url <url>", "Jaeger UI base URL for trace links (default: $RUNTRACE_JAEGER_URL)")
  .option(
    "--otlp [port]",
    "also accept OpenTelemetry traces (OTLP/HTTP) on 127.0.0.1:PORT (default: 4318) and show each as a session",
  )
  .action(
    run(
      async (options: {
        dir?: string;
        create?: boolean;
        port?: string;
        host?: string;
        open?: boolean;
        jaegerUrl?: string;
        otlp?: boolean | string;
      }) => {
        const port = options.port === undefined ? 4747 : wholeNumber("--port", 0, 65535)(options.port);
        const otlp =
          options.otlp === undefined
            ? undefined
            : options.otlp === true
              ? 4318
              : wholeNumber("--otlp", 0, 65535)(options.otlp as string);
        // Received traces are written there: with --otlp, a missing directory is made.
        const dir = await checkedSessionDir({
          given: options.dir,
          create: options.create === true || otlp !== undefined,
          canCreate: true,
        });
        const { viz } = await import("./commands/viz.js");
        await viz({
          dir: dir.dir,
          created: dir.created,
          port,
          host: options.host ?? "127.0.0.1",
          open: options.open === true,
          jaegerUrl: options.jaegerUrl,
          otlp,
        });
      },
    ),
  );

program
  .command("ls")
  .description("list the sessions in a directory, newest first")
  .option("--dir <dir>", DIR_HELP)
  .action(
    run(async (options: { dir?: string }) => {
      const dir = await checkedSessionDir({ given: options.dir });
      const { ls } = await import("./commands/ls.js");
      await ls(dir.dir);
    }),
  );

program
  .command("show")
  .description("print a session's call tree")
  .argument("<session>", 'a session id, a .jsonl file, or "latest"')
  .option("--depth <n>", "show calls down to this depth (1 = top-level calls only)")
  .option("--errors", "show only failed calls and the calls leading to them")
  .option("--dir <dir>", DIR_HELP)
  .action(
    run(async (session: string, options: { depth?: string; errors?: boolean; dir?: string }) => {
      const depth =
        options.depth === undefined ? undefined : wholeNumber("--depth", 1, 1_000_000)(options.depth);
      const dir = await checkedSessionDir({ given: options.dir, session });
      const { show } = await import("./commands/show.js");
      await show(session, { dir: dir.dir, depth, errors: options.errors === true });
    }),
  );

program
  .command("export")
  .description("export a session for Jaeger UI, an OTLP backend, or as one offline HTML file")
  .argument("<session>", 'a session id, a .jsonl file, or "latest"')
  .option("--format <format>", "jaeger | otlp | html")
  .option("-o, --output <file>", "write to this file (default: standard output)")
  .option("--jaeger-url <url>", "html: Jaeger UI base URL for trace links (default: $RUNTRACE_JAEGER_URL)")
  .option(
    "--service <name>",
    "jaeger, otlp: the service the spans belong to (default: the one the session was traced under, else runtrace)",
  )
  .option("--dir <dir>", DIR_HELP)
  .action(
    run(
      async (
        session: string,
        options: { format?: string; output?: string; jaegerUrl?: string; service?: string; dir?: string },
      ) => {
        const dir = await checkedSessionDir({ given: options.dir, session });
        const { exportSession } = await import("./commands/export.js");
        await exportSession(session, {
          dir: dir.dir,
          format: options.format,
          output: options.output,
          jaegerUrl: options.jaegerUrl ?? process.env.RUNTRACE_JAEGER_URL,
          service: options.service,
        });
      },
    ),
  );

program
  .command("tail")
  .description("follow the newest running session in the terminal until it ends (or Ctrl-C)")
  .option("--dir <dir>", DIR_HELP)
  .option("--create", CREATE_HELP)
  .action(
    run(async (options: { dir?: string; create?: boolean }) => {
      const dir = await checkedSessionDir({ given: options.dir, create: options.create, canCreate: true });
      const { tail } = await import("./commands/tail.js");
      await tail(dir.dir);
    }),
  );

await program.parseAsync(process.argv);
