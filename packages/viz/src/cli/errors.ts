import { safeLine, safeText } from "../safe-text.js";

/** A mistake in what the user typed: printed as one line, exit code 1, no stack. */
export class CliError extends Error {
  override name = "CliError";
}

/** Prints an error the way the CLI does and sets the exit code. */
export function report(error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  const expected = error instanceof CliError || (typeof code === "string" && code.startsWith("RUNTRACE_"));
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`runtrace: ${safeLine(message)}\n`);
  if (!expected && error instanceof Error && process.env.RUNTRACE_DEBUG) {
    process.stderr.write(`${safeText(error.stack)}\n`);
  }
  process.exitCode = 1;
}
