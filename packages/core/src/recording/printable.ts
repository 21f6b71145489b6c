/**
 * Recorded text (names, ids, errors, file names) made safe to print in a terminal. A session file
 * can hold anything: an escape sequence in a call's name could clear the screen, retitle the window
 * or plant a link, and a `\r` or `\n` could draw a fake `✓` line. Every control character is shown
 * as an escape instead (`\x1b`, `\r`, `\u202e`): C0 (ESC, CR, LF and TAB among them), DEL, C1, and
 * the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder
 * what is shown. Colours a program prints itself are added after this, never escaped.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function shown(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Text as a terminal should show it: every control character as a visible escape; with
 * `keepNewlines`, text of several lines (a stack) keeps its `\n`.
 *
 * @example
 * ```ts
 * rt.printable("ok\u001b[2J"); // "ok\\x1b[2J"
 * ```
 */
export function printable(text: unknown, keepNewlines = false): string {
  return String(text).replace(keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL, shown);
}
