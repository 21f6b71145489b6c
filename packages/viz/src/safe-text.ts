/**
 * Recorded text (names, ids, errors, file names) made safe to print in a terminal or a page title.
 * A session file can hold anything: an escape sequence in a call's name could clear the screen,
 * retitle the window or plant a link, and a `\r` or `\n` could draw a fake `✓` line. Every control
 * character is shown as an escape instead (`\x1b`, `\r`, `\u202e`): C0 (ESC, CR, LF and TAB among
 * them), DEL, C1, and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) that reorder what is shown. The colours runtrace itself prints are added after
 * this, never escaped.
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

/** One line of terminal text: every control character, newlines included, shown as an escape. */
export function safeLine(text: unknown): string {
  return String(text).replace(CONTROL, shown);
}

/** Terminal text of several lines (help, a stack): newlines kept, every other control character escaped. */
export function safeText(text: unknown): string {
  return String(text).replace(CONTROL_BUT_NEWLINE, shown);
}

/**
 * JSON text that prints safely and means the same: DEL, C1 and the bidirectional controls as
 * `\uXXXX` (`JSON.stringify` already escapes C0, and these can only occur inside its strings).
 */
export function safeJson(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
