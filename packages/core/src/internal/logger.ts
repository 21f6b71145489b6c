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

export function setLogger(logger: Logger): void {
  current = logger;
}

export function logger(): Logger {
  return current;
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
    current.warn(message);
  } catch {
    // A logger that throws must not break the code being recorded.
  }
}

/** Forgets which problems were reported (tests). */
export function resetWarnings(): void {
  reported.clear();
}
