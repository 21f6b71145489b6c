/**
 * `key=value`, `key: value`, `"key": "value"`, `KEY='value'` and `key => value` in text: form data, env
 * files, headers, error messages, JSON bodies (also JSON inside JSON). The text is read from each `=`
 * and `:` backwards to the key, and the key is judged by the redactor's own key rules, so a key is
 * secret in text exactly when it is secret in an object (`password`, `aws_secret_access_key`,
 * `clientSecret`, a custom key...).
 *
 * This costs far less than a RegExp for a case-insensitive list of words, which V8 tries at every
 * position of the text: most text has separators but no secret key before them ("tokens used: 42",
 * `"name": "x"`), and a table of the last three letters of every key rule rejects those at a glance.
 */

/** Letters (any case) as 1 to 26 and digits as 27 to 36; everything else 0. */
const CODES = new Uint8Array(128);
for (let c = 0; c < 26; c++) {
  CODES[65 + c] = c + 1;
  CODES[97 + c] = c + 1;
}
for (let d = 0; d < 10; d++) CODES[48 + d] = 27 + d;
const BASE = 37;
const code = (c: number): number => (c < 128 ? CODES[c]! : 0);
/** "-", "_" and "." join the words of a key (`api_key`, `session-id`, `client.secret`). */
const isJoin = (c: number): boolean => c === 45 || c === 95 || c === 46;
const isKeyChar = (c: number): boolean => code(c) !== 0 || isJoin(c);

/** Longest key read back from a separator, spaces between words included ("API key: ..."). */
const MAX_KEY_LENGTH = 64;
/** Parameters that hold a secret in a query string (`?key=`, `&sig=`), and are ordinary words elsewhere. */
const QUERY_KEYS = new Set(["key", "sig", "signature", "codeverifier"]);

/** `Bearer`, `Basic` and `Token`: kept in front of a value ("authorization: Bearer [redacted]"). */
const SCHEME = "(?:[Bb]earer|BEARER|[Bb]asic|BASIC|[Tt]oken|TOKEN)[ \\t]+";
/**
 * What follows a secret key, from the separator on: the separator, an auth scheme, then the value:
 * quoted (group 1 the opening quote, group 2 the value up to the matching quote, escaped or not, or
 * to the end of the line) or bare (group 3, up to a space, quote or delimiter).
 */
const VALUE = new RegExp(
  String.raw`(?:=>?|:)[ \t]*(?:${SCHEME}|(?!${SCHEME}))` +
    String.raw`(?:(\\*["'])((?:(?!\1)(?:\\[^\r\n]|[^\r\n\\]))*)|([^\s"'&;,<>{[][^\s"'&;,<>]*))`,
  "y",
);
/** A query parameter's value: up to the next parameter. */
const QUERY_VALUE = /=([^&#\s"'<>]+)/y;

export class KeyValueText {
  /**
   * At the index of the last one, two or three letters of every key rule: 1 (2 for the end of a query
   * parameter, 3 for both); undefined: check every key.
   */
  readonly #ends: Uint8Array | undefined;

  /**
   * @param keys the redactor's key rules, normalized (lower case, no separators); `undefined` when a
   *   rule cannot be put in the table (a RegExp), and every key before a separator is then checked.
   */
  constructor(keys: readonly string[] | undefined) {
    if (keys === undefined) return;
    this.#ends = new Uint8Array(BASE * BASE * BASE);
    const mark = (key: string, flag: number) => {
      const chars = [...key].map((ch) => code(ch.charCodeAt(0))).filter((c) => c !== 0);
      const [x3 = 0, x2 = 0, x1 = 0] = [0, 0, 0, ...chars].slice(-3);
      if (x1 !== 0) this.#ends![(x3 * BASE + x2) * BASE + x1]! |= flag;
    };
    for (const key of keys) mark(key, 1);
    for (const key of QUERY_KEYS) mark(key, 2);
  }

  /** `s` with the value of every secret key replaced, or `s` itself when there is none. */
  redact(s: string, isSecretKey: (key: string) => boolean, replacement: string): string {
    // Most text has no candidate at all: one tight loop per separator says so.
    const ends = this.#ends;
    if (ends !== undefined && !this.#anyCandidate(s, "=", ends) && !this.#anyCandidate(s, ":", ends))
      return s;
    let out = "";
    let done = 0; // s is copied to out up to here
    let eq = s.indexOf("=");
    let colon = s.indexOf(":");
    while (eq !== -1 || colon !== -1) {
      const p = eq === -1 ? colon : colon === -1 ? eq : Math.min(eq, colon);
      const end = this.#secretValueEnd(s, p, done, isSecretKey);
      if (end === -1) {
        if (p === eq) eq = s.indexOf("=", p + 1);
        else colon = s.indexOf(":", p + 1);
        continue;
      }
      out += s.slice(done, end[0]) + replacement;
      done = end[1];
      eq = s.indexOf("=", done);
      colon = s.indexOf(":", done);
    }
    return done === 0 ? s : out + s.slice(done);
  }

  /** [start, end] of the value after the separator at `p` when the key before it is secret, else -1. */
  #secretValueEnd(
    s: string,
    p: number,
    from: number,
    isSecretKey: (key: string) => boolean,
  ): [number, number] | -1 {
    // Back over spaces, a closing quote and escaping backslashes: `"key" :`, `\"key\":`.
    let i = p - 1;
    let c = s.charCodeAt(i);
    while (c === 32 || c === 9) c = s.charCodeAt(--i);
    if (c === 34 || c === 39) c = s.charCodeAt(--i);
    while (c === 92) c = s.charCodeAt(--i);
    const keyEnd = i + 1;
    if (keyEnd <= from || code(c) === 0) return -1;
    const ends = this.#ends;
    const kind = ends === undefined ? 3 : this.#kind(s, i, ends);
    if (kind === 0) return -1;
    // Only a query parameter's name ends here: it needs `?name=`, `&name=` or `;name=`.
    if (kind === 2 && (s.charCodeAt(p) !== 61 || !this.#afterQueryStart(s, i))) return -1;
    // The key: letters, digits and joins, back to `from` at most; before a ":" also single spaces
    // between words, as labels are written ("API key: ..."), while `a pwd=x` has the key `pwd`.
    // Either the whole label or its last word may be the secret key.
    const spaces = s.charCodeAt(p) === 58;
    let start = keyEnd;
    while (start > from && keyEnd - start < MAX_KEY_LENGTH) {
      const before = s.charCodeAt(start - 1);
      if (isKeyChar(before)) start--;
      else if (spaces && before === 32 && start - 1 > from && code(s.charCodeAt(start - 2)) !== 0) start--;
      else break;
    }
    const key = s.slice(start, keyEnd);
    const space = key.lastIndexOf(" ");
    // A label's last word alone may be the key ("customer ssn: ...", "DB pwd: ...").
    if (isSecretKey(key) || (space !== -1 && isSecretKey(key.slice(space + 1)))) {
      VALUE.lastIndex = p;
      const match = VALUE.exec(s);
      const value = match?.[2] ?? match?.[3];
      if (!match || value === undefined || value === "") return -1;
      const valueEnd = p + match[0].length;
      return [valueEnd - value.length, valueEnd];
    }
    // `?key=`, `&sig=`: secret in a query string only.
    const name = key.slice(space + 1);
    const before = s.charCodeAt(keyEnd - name.length - 1);
    if (s.charCodeAt(p) !== 61 || (before !== 63 && before !== 38 && before !== 59)) return -1;
    if (!QUERY_KEYS.has(name.toLowerCase().replace(/[-_.]/g, ""))) return -1;
    QUERY_VALUE.lastIndex = p;
    const match = QUERY_VALUE.exec(s);
    if (!match) return -1;
    return [p + 1, p + match[0].length];
  }

  /** Whether some `separator` in `s` follows a key that may be secret (the table says so). */
  #anyCandidate(s: string, separator: string, ends: Uint8Array): boolean {
    for (let p = s.indexOf(separator); p !== -1; p = s.indexOf(separator, p + 1)) {
      let i = p - 1;
      let c = s.charCodeAt(i);
      while (c === 32 || c === 9) c = s.charCodeAt(--i);
      if (c === 34 || c === 39) c = s.charCodeAt(--i);
      while (c === 92) c = s.charCodeAt(--i);
      if (code(c) === 0) continue;
      const kind = this.#kind(s, i, ends);
      if (kind === 1 || kind === 3 || (kind === 2 && separator === "=" && this.#afterQueryStart(s, i)))
        return true;
    }
    return false;
  }

  /** What the last (up to) three letters before `i` may end: 0 nothing, 1 a key rule, 2 a query parameter, 3 both. */
  #kind(s: string, i: number, ends: Uint8Array): number {
    let c = s.charCodeAt(i);
    const x1 = code(c);
    c = s.charCodeAt(--i);
    if (isJoin(c)) c = s.charCodeAt(--i);
    const x2 = code(c);
    c = s.charCodeAt(--i);
    if (isJoin(c)) c = s.charCodeAt(--i);
    const x3 = x2 === 0 ? 0 : code(c);
    // A rule of one or two letters matches the end of a longer key too: the table only has to let
    // every secret key through; isSecretKey decides.
    return ends[(x3 * BASE + x2) * BASE + x1]! | ends[x2 * BASE + x1]! | ends[x1]!;
  }

  /** Whether the key ending at `i` starts right after `?`, `&` or `;`. */
  #afterQueryStart(s: string, i: number): boolean {
    let c = s.charCodeAt(i);
    while (isKeyChar(c)) c = s.charCodeAt(--i);
    return c === 63 || c === 38 || c === 59;
  }
}
