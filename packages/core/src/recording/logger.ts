import { defaultRedactor } from "./redact.js";

/** Where runtrace reports its own problems (a store that cannot write, an exporter that fails). */
export interface Logger {
  warn(message: string): void;
  error(message: string): void;
}

/** Writes to stderr with a `[runtrace]` prefix. */
export const consoleLogger: Logger = {
  warn: (message) => console.warn(`[runtrace] ${message}`),
  error: (message) => console.error(`[runtrace] ${message}`),
};

let current: Logger = consoleLogger;

/**
 * What runtrace reports goes through the built-in redaction rules, whatever `redact` is set to: a
 * message may quote an endpoint with its credentials (`https://user:password@host/?api-key=...`) or
 * an error that quotes a request.
 */
const redacting: Logger = {
  warn: (message) => current.warn(defaultRedactor.redactString(message)),
  error: (message) => current.error(defaultRedactor.redactString(message)),
};

export function setLogger(logger: Logger): void {
  current = logger;
}

/** The configured logger, behind redaction. */
export function logger(): Logger {
  return redacting;
}

const reported = new Set<string>();

/**
 * Reports a problem once per key: a store that cannot write would otherwise log on every call.
 * Never throws, even when the logger does.
 */
export function warnOnce(key: string, message: string): void {
  if (reported.has(key)) return;
  reported.add(key);
  try {
    redacting.warn(message);
  } catch {
    // A logger that throws must not break the code being recorded.
  }
}

/** Forgets which problems were reported (tests). */
export function resetWarnings(): void {
  reported.clear();
}
