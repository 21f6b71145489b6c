import { KeyValueText } from "./key-values.js";
import {
  builtinPasses,
  normalizeKey,
  SECRET_SUFFIXES,
  SECRET_WORDS,
  type SecretPass,
} from "./secret-rules.js";

/** Options for a {@link Redactor}: extra rules on top of (or instead of) the built-in ones. */
export interface RedactOptions {
  /**
   * Extra key rules: a string matches a key case-insensitively after removing "-", "_", "." and
   * spaces; a RegExp is tested on the raw key. Both apply to object keys and to `key=value` text.
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

/**
 * Strings shorter than this are not scanned for secrets: most values are short, and scanning them all
 * would cost every call. A secret in such a string is still caught by its key.
 */
const MIN_SCANNED_LENGTH = 16;

/** Bounds the key and name caches: objects used as dictionaries would otherwise grow them without end. */
const CACHE_SIZE = 1024;
const MAX_CACHED_KEY_LENGTH = 64;
const MAX_CACHED_NAME_LENGTH = 256;

/**
 * Decides what must not be recorded: values stored under secret-looking keys, and secret-looking parts
 * of strings (API keys, auth headers, JWTs, cloud credentials, URL passwords, `password=` text, JSON
 * text with secret keys, PEM private keys). The rules are listed in `secret-rules.ts`.
 */
export class Redactor {
  /** false when built from `false`: every method then returns its input unchanged. */
  readonly enabled: boolean;
  /** What replaces a secret value or a secret part of a string. */
  readonly replacement: string;
  readonly #builtin: boolean;
  readonly #keys: Set<string>;
  readonly #keyPatterns: RegExp[];
  /** The built-in value rules (see secret-rules.ts). */
  readonly #passes: SecretPass[];
  /** Finds `key=value` text with a secret key; undefined when no key rule is on. */
  readonly #keyValues: KeyValueText | undefined;
  readonly #patterns: RegExp[];
  // Keys and names repeat across calls (same argument shapes, same nodes), so each is checked once.
  readonly #keyCache = new Map<string, boolean>();
  readonly #nameCache = new Map<string, string>();
  readonly #replaceKept: (match: string, ...args: unknown[]) => string;
  readonly #replaceAll: () => string;
  readonly #isSecretKey: (key: string) => boolean;

  /** @param config `true`/undefined: built-in rules; `false`: no redaction; an object: see {@link RedactOptions}. */
  constructor(config: RedactConfig = true) {
    const options: RedactOptions = typeof config === "object" && config !== null ? config : {};
    this.enabled = config !== false;
    this.replacement = options.replacement ?? DEFAULT_REPLACEMENT;
    this.#builtin = this.enabled && options.defaults !== false;
    this.#keys = new Set(this.#builtin ? SECRET_WORDS : []);
    this.#keyPatterns = [];
    for (const rule of options.keys ?? []) {
      if (typeof rule === "string") this.#keys.add(normalizeKey(rule));
      else this.#keyPatterns.push(rule);
    }
    this.#passes = this.#builtin ? builtinPasses() : [];
    const anyKeys = this.#keys.size > 0 || this.#keyPatterns.length > 0 || this.#builtin;
    // A RegExp key cannot be summed up by its last letters: then every key before a separator is judged.
    const keyEnds =
      this.#keyPatterns.length > 0 ? undefined : [...this.#keys, ...(this.#builtin ? SECRET_SUFFIXES : [])];
    this.#keyValues = this.enabled && anyKeys ? new KeyValueText(keyEnds) : undefined;
    // replace() only replaces every match with a global RegExp; copying keeps the caller's object intact.
    this.#patterns = (options.patterns ?? []).map((p) =>
      p.global ? p : new RegExp(p.source, `${p.flags}g`),
    );
    const replacement = this.replacement;
    // Functions rather than strings, so a replacement containing "$&" or "$1" stays literal.
    this.#replaceKept = (match, ...args) => {
      // (match, ...groups, offset, string, named groups): see SecretPass for the names.
      const named = args[args.length - 1] as Record<string, string | undefined>;
      const tk = named.tk;
      if (tk !== undefined) {
        // "oken" of the word Token (or TOKEN), not of "spoken" or "broken".
        const text = args[args.length - 2] as string;
        const offset = args[args.length - 3] as number;
        const word = text.charCodeAt(offset - 1) === 84 && !isWordChar(text.charCodeAt(offset - 2));
        return word ? tk + replacement : match;
      }
      const kept = named.sc ?? named.pre;
      return kept === undefined ? replacement : kept + replacement;
    };
    this.#isSecretKey = (key) => this.isSecretKey(key);
    this.#replaceAll = () => replacement;
  }

  /**
   * true when strings shorter than 16 characters are recorded without a scan (no custom value
   * patterns), so a caller may skip them without calling {@link redactString}.
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
      if (this.#keyCache.size >= CACHE_SIZE) this.#keyCache.clear();
      this.#keyCache.set(key, secret);
    }
    return secret;
  }

  /** the string with every secret-looking part replaced (returns the same string instance when nothing matched, fast for short strings) */
  redactString(s: string): string {
    if (!this.enabled) return s;
    let out = s;
    if (s.length >= MIN_SCANNED_LENGTH) {
      for (const pass of this.#passes) {
        if (pass.needles === undefined || contains(out, pass.needles))
          out = out.replace(pass.pattern, this.#replaceKept);
      }
      if (this.#keyValues !== undefined)
        out = this.#keyValues.redact(out, this.#isSecretKey, this.replacement);
    }
    for (const pattern of this.#patterns) out = out.replace(pattern, this.#replaceAll);
    return out;
  }

  /**
   * {@link redactString} for names (of sessions, calls, events), remembered per distinct name: the
   * same few names come back on every call.
   */
  redactName(name: string): string {
    if (!this.enabled) return name;
    const cached = this.#nameCache.get(name);
    if (cached !== undefined) return cached;
    const redacted = this.redactString(name);
    if (name.length <= MAX_CACHED_NAME_LENGTH) {
      if (this.#nameCache.size >= CACHE_SIZE) this.#nameCache.clear();
      this.#nameCache.set(name, redacted);
    }
    return redacted;
  }

  /**
   * {@link redactString} for an object's key: a key long enough to be scanned is remembered as a
   * name is (the same attribute keys come back on every call); a shorter one costs no lookup.
   */
  redactKey(key: string): string {
    return key.length < MIN_SCANNED_LENGTH ? this.redactString(key) : this.redactName(key);
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

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function contains(s: string, needles: readonly string[]): boolean {
  for (const needle of needles) if (s.includes(needle)) return true;
  return false;
}

/** The redactor used when none is configured: built-in rules only. */
export const defaultRedactor: Redactor = new Redactor(true);
