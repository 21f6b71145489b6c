/** Options for a {@link Redactor}: extra rules on top of (or instead of) the built-in ones. */
export interface RedactOptions {
  /**
   * Extra key rules: a string matches a key case-insensitively after removing "-", "_" and spaces;
   * a RegExp is tested on the raw key.
   */
  keys?: Array<string | RegExp>;
  /** Extra value patterns (global or not); every match inside a string is replaced. */
  patterns?: RegExp[];
  /** @default "[redacted]" */
  replacement?: string;
  /** Set false to drop the built-in rules and keep only the ones given here. @default true */
  defaults?: boolean;
}

/** `true`/undefined: built-in rules. `false`: no redaction at all. An object: built-in rules plus these. */
export type RedactConfig = boolean | RedactOptions;

const DEFAULT_REPLACEMENT = "[redacted]";

/** Built-in secret keys, already normalised (lower case, no "-", "_" or spaces). */
const SECRET_KEYS = [
  "apikey",
  "xapikey",
  "password",
  "passwd",
  "passphrase",
  "secret",
  "clientsecret",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "authtoken",
  "bearertoken",
  "sessiontoken",
  "csrftoken",
  "privatekey",
  "credentials",
  "credential",
];

/**
 * Suffixes that catch names like `githubToken` or `dbPassword`. Usage counters (`maxTokens`,
 * `inputTokens`) end in "tokens", so they stay visible.
 */
const SECRET_SUFFIXES = ["token", "secret", "password", "apikey"];

/**
 * No built-in pattern can match fewer characters than this, so shorter strings (most values) skip the
 * regex entirely. The patterns below are sized so this stays true.
 */
const MIN_SECRET_LENGTH = 16;

/**
 * All built-in value patterns in one alternation, so a string is scanned once. Only the first
 * alternative has a capture group: the auth scheme word, kept so the record still says which scheme
 * was used. Its token must contain a digit, an upper-case letter or a symbol after the first
 * character, so prose like "Basic authentication" is left alone.
 */
const BUILTIN_PATTERN = new RegExp(
  [
    String.raw`\b(Bearer|bearer|BEARER|Basic|basic|BASIC)[ \t]+[A-Za-z0-9._~+/-](?=[A-Za-z0-9._~+/-]*[0-9A-Z_~+/])[A-Za-z0-9._~+/-]{9,}=*`,
    String.raw`\bsk-[A-Za-z0-9_-]{20,}`,
    String.raw`\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`,
    String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
    String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}`,
    String.raw`\bgithub_pat_[A-Za-z0-9_]{22,}`,
    String.raw`\bxox[abprs]-[A-Za-z0-9-]{11,}`,
    String.raw`\bAIza[0-9A-Za-z_-]{35}`,
  ].join("|"),
  "g",
);

/** Bounds the key cache: objects used as dictionaries would otherwise grow it without end. */
const KEY_CACHE_SIZE = 1024;
const MAX_CACHED_KEY_LENGTH = 64;

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_ ]/g, "");
}

/**
 * Decides what must not be recorded: values stored under secret-looking keys, and secret-looking parts
 * of strings (API keys, bearer tokens, JWTs, cloud credentials).
 */
export class Redactor {
  /** false when built from `false`: every method then returns its input unchanged. */
  readonly enabled: boolean;
  /** What replaces a secret value or a secret part of a string. */
  readonly replacement: string;
  readonly #builtin: boolean;
  readonly #keys: Set<string>;
  readonly #keyPatterns: RegExp[];
  readonly #patterns: RegExp[];
  // Keys repeat across calls (same argument shapes), so the normalise-and-match work is done once.
  readonly #keyCache = new Map<string, boolean>();
  readonly #replaceAuth: (match: string, scheme: string | undefined) => string;
  readonly #replaceAll: () => string;

  /** @param config `true`/undefined: built-in rules; `false`: no redaction; an object: see {@link RedactOptions}. */
  constructor(config: RedactConfig = true) {
    const options: RedactOptions = typeof config === "object" && config !== null ? config : {};
    this.enabled = config !== false;
    this.replacement = options.replacement ?? DEFAULT_REPLACEMENT;
    this.#builtin = this.enabled && options.defaults !== false;
    this.#keys = new Set(this.#builtin ? SECRET_KEYS : []);
    this.#keyPatterns = [];
    for (const rule of options.keys ?? []) {
      if (typeof rule === "string") this.#keys.add(normalizeKey(rule));
      else this.#keyPatterns.push(rule);
    }
    // replace() only replaces every match with a global RegExp; copying keeps the caller's object intact.
    this.#patterns = (options.patterns ?? []).map((p) =>
      p.global ? p : new RegExp(p.source, `${p.flags}g`),
    );
    const replacement = this.replacement;
    // Functions rather than strings, so a replacement containing "$&" or "$1" stays literal.
    this.#replaceAuth = (_match, scheme) => (scheme ? `${scheme} ${replacement}` : replacement);
    this.#replaceAll = () => replacement;
  }

  /**
   * true when no rule can match a string shorter than 16 characters (no custom value patterns), so
   * short strings may be recorded without running any regex.
   */
  get shortStringsSafe(): boolean {
    return this.#patterns.length === 0;
  }

  /** true when a value stored under this key must be replaced entirely */
  isSecretKey(key: string): boolean {
    if (!this.enabled) return false;
    const cached = this.#keyCache.get(key);
    if (cached !== undefined) return cached;
    const secret = this.#matchKey(key);
    if (key.length <= MAX_CACHED_KEY_LENGTH) {
      if (this.#keyCache.size >= KEY_CACHE_SIZE) this.#keyCache.clear();
      this.#keyCache.set(key, secret);
    }
    return secret;
  }

  /** the string with every secret-looking part replaced (returns the same string instance when nothing matched, fast for short strings) */
  redactString(s: string): string {
    if (!this.enabled) return s;
    let out = s;
    if (this.#builtin && s.length >= MIN_SECRET_LENGTH) out = out.replace(BUILTIN_PATTERN, this.#replaceAuth);
    for (const pattern of this.#patterns) out = out.replace(pattern, this.#replaceAll);
    return out;
  }

  #matchKey(key: string): boolean {
    const normalized = normalizeKey(key);
    if (this.#keys.has(normalized)) return true;
    if (this.#builtin) {
      for (const suffix of SECRET_SUFFIXES) if (normalized.endsWith(suffix)) return true;
    }
    for (const pattern of this.#keyPatterns) {
      // A global or sticky RegExp keeps lastIndex between test() calls and would skip matches.
      pattern.lastIndex = 0;
      if (pattern.test(key)) return true;
    }
    return false;
  }
}

/** The redactor used when none is configured: built-in rules only. */
export const defaultRedactor: Redactor = new Redactor(true);
