import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { checkJaegerUrl } from "../../jaeger-url.js";
import { safeJson, safeLine } from "../../safe-text.js";
import { CliError } from "../errors.js";
import { resolveSession } from "../resolve.js";

const FORMATS = ["jaeger", "otlp", "html"] as const;
type Format = (typeof FORMATS)[number];

/** Options of `runtrace export`. */
export interface ExportOptions {
  dir: string;
  format: string | undefined;
  output: string | undefined;
  jaegerUrl: string | undefined;
  service: string | undefined;
}

function checkFormat(format: string | undefined): Format {
  const example = "as in `runtrace export latest --format jaeger -o trace.json`";
  if (format === undefined) {
    throw new CliError(`export needs --format: expected jaeger, otlp or html, ${example}.`);
  }
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new CliError(
      `unknown format ${JSON.stringify(format)}: expected jaeger, otlp or html, ${example}.`,
    );
  }
  return format as Format;
}

/** `runtrace export <session-id | file | latest> --format jaeger | otlp | html [-o FILE]`. */
export async function exportSession(ref: string, options: ExportOptions): Promise<void> {
  const format = checkFormat(options.format);
  const jaegerUrl = checkJaegerUrl(options.jaegerUrl, "--jaeger-url (or RUNTRACE_JAEGER_URL)");
  if (options.service !== undefined && options.service.trim() === "") {
    throw new CliError(
      "--service needs a name, as in `runtrace export latest --format otlp --service checkout`.",
    );
  }
  if (options.service !== undefined && format === "html") {
    throw new CliError("--service applies to the jaeger and otlp formats, not html.");
  }
  const { tree } = await resolveSession(ref, options.dir);
  const spanOptions = { service: options.service };
  let text: string;
  if (format === "jaeger") {
    const { toJaegerJson } = await import("../../export/jaeger.js");
    text = safeJson(JSON.stringify(toJaegerJson(tree, spanOptions)));
  } else if (format === "otlp") {
    const { toOtlpJson } = await import("../../export/otlp.js");
    text = safeJson(JSON.stringify(toOtlpJson(tree, spanOptions)));
  } else {
    const { toHtml } = await import("../../export/html.js");
    text = toHtml(tree, { jaegerUrl });
  }
  if (options.output === undefined) {
    process.stdout.write(format === "html" ? text : `${text}\n`);
    return;
  }
  const file = resolve(options.output);
  writeFileSync(file, format === "html" ? text : `${text}\n`);
  process.stderr.write(
    `Wrote ${format} export of session ${safeLine(tree.root.sessionId)} (${tree.size} calls) to ${safeLine(file)}\n`,
  );
}
