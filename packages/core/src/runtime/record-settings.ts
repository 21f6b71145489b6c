import { currentSettings, type Settings } from "../config.js";
import {
  type SanitizeOptions,
  sanitize,
  sanitizeAttributes,
  sanitizeError,
  sanitizeName,
} from "../recording/sanitize.js";
import type { RecordedError } from "../recording/types.js";

/**
 * What one session records and how it cleans what it records, read from the configuration once,
 * when the session is made (`rt.configure` during a session does not change it halfway). Every
 * value recorded goes through here, so here too are the short cuts of the call path: most names,
 * arguments and results are short strings and plain numbers, which need no copy, no walk and no
 * redaction.
 */
export class RecordSettings {
  readonly sanitize: SanitizeOptions;
  /** Off: no tree is kept and no store is told; a traced session still gets its spans. */
  readonly recording: boolean;
  readonly recordInput: boolean;
  readonly recordOutput: boolean;
  /** Strings under 16 characters are recorded as they are when the redactor says they are safe. */
  readonly #shortStrings: boolean;
  /** Names under 16 characters are recorded as they are (nothing to redact, nothing to cut). */
  readonly #shortNames: boolean;

  /**
   * The settings of a session starting now. Sessions started under the same configuration share
   * one (it never changes): a server that opens a session per request makes none.
   */
  static current(): RecordSettings {
    const settings = currentSettings();
    const last = latest;
    if (
      last !== undefined &&
      last.sanitize === settings.sanitize &&
      last.recording === settings.recording &&
      last.recordInput === settings.recordInput &&
      last.recordOutput === settings.recordOutput
    ) {
      return last;
    }
    latest = new RecordSettings(settings);
    return latest;
  }

  private constructor(settings: Settings) {
    this.sanitize = settings.sanitize;
    this.recording = settings.recording;
    this.recordInput = settings.recordInput;
    this.recordOutput = settings.recordOutput;
    this.#shortStrings = settings.sanitize.redactor.shortStringsSafe;
    this.#shortNames = this.#shortStrings && settings.sanitize.limits.maxStringLength >= 15;
  }

  /**
   * A name as recorded: redacted and cut like a string value. Every output (file, spans, viewer,
   * exports) reads names from the records, so this is the one place they are cleaned. Names repeat
   * on every call, so short ones skip it (as short argument strings do) and the rest are
   * remembered per name.
   */
  name(name: string): string {
    return name.length < 16 && this.#shortNames ? name : sanitizeName(name, this.sanitize);
  }

  /**
   * A call's arguments as recorded. The rest array is the call's own, so when every argument is
   * plain it is kept as it is.
   */
  args(args: unknown[]): unknown {
    if (args.length === 0) return NO_ARGS;
    for (let i = 0; i < args.length; i++)
      if (!plain(args[i], this.#shortStrings)) return sanitize(args, this.sanitize);
    return args;
  }

  /** A call's result as recorded. */
  output(value: unknown): unknown {
    return plain(value, this.#shortStrings) ? value : sanitize(value, this.sanitize);
  }

  /** Any other value (event data, a session's result) as recorded. */
  value(value: unknown): unknown {
    return sanitize(value, this.sanitize);
  }

  /** Whatever was thrown, `undefined` included, as a recorded error. */
  error(error: unknown): RecordedError {
    return sanitizeError(error, this.sanitize);
  }

  attributes(attributes: Record<string, unknown>): Record<string, unknown> {
    return sanitizeAttributes(attributes, this.sanitize);
  }
}

let latest: RecordSettings | undefined;

const NO_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[];

/** A value recorded as it is: a finite number, a boolean, null, or a string too short to hide a secret. */
function plain(value: unknown, shortStrings: boolean): boolean {
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "boolean":
      return true;
    case "string":
      return shortStrings && value.length < 16;
    case "object":
      return value === null;
    default:
      return false;
  }
}
