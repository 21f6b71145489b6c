/**
 * Recorded text (names, ids, errors, file names) made safe to print in a terminal or a page title.
 * A session file can hold anything: an escape sequence in a call's name could clear the screen,
 * retitle the window or plant a link, and a `\r` or `\n` could draw a fake `✓` line. Every control
 * character is shown as an escape instead (`\x1b`, `\r`, `\u202e`): C0 (ESC, CR, LF and TAB among
 * them), DEL, C1, and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) that reorder what is shown. The colours runtrace itself prints are added after
 * this, never escaped. The escaping is core's `rt.printable`, which `rt.formatTree` uses too.
 */
import { printable } from "@runtrace/core";

/** One line of terminal text: every control character, newlines included, shown as an escape. */
export function safeLine(text: unknown): string {
  return printable(text);
}

/** Terminal text of several lines (help, a stack): newlines kept, every other control character escaped. */
export function safeText(text: unknown): string {
  return printable(text, true);
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
