import { Buffer } from "node:buffer";
import type { Redactor } from "./redact.js";

/** Extra characters redacted past a string cut, so a secret straddling the cut is still caught whole. */
export const REDACT_OVERLAP = 256;

/**
 * How many of the first `count` bytes a preview may show: all of them, or those before the first
 * secret that the bytes hold as text (a request body or a header block in a Buffer). The text is read
 * a little past the preview, so a secret that starts inside it is recognised whole.
 */
export function bytesBeforeSecret(bytes: Buffer, count: number, redactor: Redactor): number {
  const shown = Math.min(bytes.length, count);
  if (!redactor.enabled || shown === 0) return shown;
  // latin1 maps each byte to one character, so offsets in the text are offsets in the bytes.
  const text = bytes.toString("latin1", 0, Math.min(bytes.length, count + REDACT_OVERLAP));
  const redacted = redactor.redactString(text);
  if (redacted === text) return shown;
  let i = 0;
  while (i < shown && text.charCodeAt(i) === redacted.charCodeAt(i)) i++;
  return i;
}

/**
 * The head of a string longer than `limit`, redacted, with a marker saying how much was cut. Secrets
 * are looked for a little past the cut, so one straddling it is still caught whole. The result is a
 * flat copy: a slice would keep the whole original string alive for as long as the record lives.
 */
export function cutString(s: string, limit: number, redactor: Redactor): string {
  const head = redactor.redactString(s.slice(0, limit + REDACT_OVERLAP));
  let keep = Math.min(limit, head.length);
  const last = head.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep--; // do not split a surrogate pair
  return flatten(`${head.slice(0, keep)}…[+${s.length - keep} chars]`);
}

/** A copy of `s` that shares no memory with the string it was sliced from. */
function flatten(s: string): string {
  return Buffer.from(s, "utf16le").toString("utf16le");
}
