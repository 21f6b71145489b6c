/**
 * The built-in secret rules: which keys hold secrets, and what secrets look like inside text. They
 * are one maintained list: a key rule also finds `key=value`, `key: value` and `"key": "value"` in
 * text, so adding a word here covers objects, form data, env-style text and JSON bodies at once.
 */

/**
 * Keys whose value is a secret whatever comes before them (`githubToken`, `DB_PASSWORD`,
 * `aws_secret_access_key`). Spaces separate the words, which may be joined in any case with "-",
 * "_", "." or nothing. Usage counters (`maxTokens`, `input_tokens`) end in "tokens", so they stay.
 */
export const SECRET_SUFFIXES = [
  "token",
  "secret",
  "password",
  "passwd",
  "passphrase",
  "passcode",
  "api key",
  "access key",
  "private key",
  "secret key",
  "signing key",
  "encryption key",
  "master key",
  "account key",
  "subscription key",
  "session id",
  "authorization",
  "cookie",
  "credential",
  "credentials",
  "connection string",
];

/** Keys that hold a secret only as a whole word: `pass` but not `bypass`, `auth` but not `oauth`. */
export const SECRET_WORDS = [
  "pwd",
  "pass",
  "auth",
  "sessid",
  "php sess id",
  "connect sid",
  "x amz signature",
  "x goog signature",
];

/** Query parameters that hold a secret in a URL, though the same word elsewhere is ordinary. */
const SECRET_QUERY_PARAMETERS = ["key", "sig", "signature", "code verifier"];

/** Lower case without separators: what key rules compare. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_. ]/g, "");
}

/** The words of a key as a user wrote it: `Customer-Email` and `customerEmail` give "customer email". */
export function keyWords(key: string): string {
  return key
    .split(/[-_. ]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
}

const SEPARATOR = "\u0000";

interface TrieNode {
  end: boolean;
  next: Map<string, TrieNode>;
}

/** One character of a word in a RegExp: any case for letters, any separator (or none) between words. */
function wordChar(ch: string, upper: boolean): string {
  if (ch === SEPARATOR) return "[-_. ]?";
  if (upper) return ch.toUpperCase();
  if (/[a-z]/.test(ch)) return `[${ch}${ch.toUpperCase()}]`;
  return ch.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/**
 * A RegExp source matching any of `words` (space-separated parts, joined in text by "-", "_", "." or
 * nothing, letters in any case), factored as a trie so that the engine tests one character per
 * branch instead of every word in turn. `capitalized` matches only words written with an upper-case
 * first letter: the humps of camelCase keys (`dbPassword`).
 */
export function wordsPattern(words: readonly string[], capitalized = false): string {
  const root: TrieNode = { end: false, next: new Map() };
  for (const word of words) {
    let node = root;
    for (const ch of word.trim().toLowerCase().replace(/ +/g, SEPARATOR)) {
      let child = node.next.get(ch);
      if (!child) {
        child = { end: false, next: new Map() };
        node.next.set(ch, child);
      }
      node = child;
    }
    node.end = true;
  }
  const emit = (node: TrieNode): string => {
    const upper = capitalized && node === root;
    const branches = [...node.next].map(([ch, child]) => wordChar(ch, upper) + emit(child));
    if (branches.length === 0) return "";
    const body = branches.length === 1 ? branches[0]! : `(?:${branches.join("|")})`;
    return node.end ? `(?:${body})?` : body;
  };
  return emit(root);
}

/** `Bearer`, `Basic` and `Token`, as written in headers and docs. */
const SCHEME = "(?:[Bb]earer|BEARER|[Bb]asic|BASIC|[Tt]oken|TOKEN)";
const TOKEN_CHAR = "[A-Za-z0-9._~+/-]";
/**
 * A credential after an auth scheme: 16 token characters, or 10 with a digit, an upper-case letter
 * or a symbol after the first one, so prose like "Bearer tokens are..." is left alone.
 */
const SCHEME_TOKEN = `(?:${TOKEN_CHAR}{16,}|${TOKEN_CHAR}(?=${TOKEN_CHAR}*[0-9A-Z_~+/])${TOKEN_CHAR}{9,})=*`;
/** Separator between a key and its value in text: `=`, `:` or `=>`, after optional quotes and spaces. */
const ASSIGN = String.raw`\\*["']?[ \t]*(?:=>?|:)[ \t]*`;
/**
 * A value after a key in text: quoted (the opening quote, in group `q`, is kept; the value runs to the
 * matching quote, escaped or not, or to the end of the line) or bare (up to a space, quote or
 * delimiter).
 */
const VALUE = String.raw`(?:(?<q>\\*["'])(?:(?!\k<q>)(?:\\[^\r\n]|[^\r\n\\]))*|[^\s"'&;,<>{[][^\s"'&;,<>]*)`;

/**
 * `key=value`, `key: value`, `"key": "value"`, `KEY='value'`, `key => value` for keys matching `keys`;
 * the key, the separator and an auth scheme ("authorization: Bearer x") are kept in group `kv`.
 */
function keyValue(keys: string): string {
  // Without the scheme, the value must not start with one: backtracking out of the optional scheme
  // would otherwise redact "Bearer" and leave the token to a later pass.
  return `(?<kv>(?:${keys})${ASSIGN}(?:${SCHEME}[ \\t]+|(?!${SCHEME}[ \\t])))${VALUE}`;
}

/**
 * One pass of redaction over a string: every match of `pattern` is replaced. The pass runs only when
 * the string contains one of `needles` (when given): `indexOf` is far cheaper than a RegExp scan, so
 * the rarer shapes of secrets cost nothing to strings that cannot hold them.
 *
 * Named groups say what a match keeps in front of the replacement, so the record still tells what was
 * there: `kv` (the key of key=value text), `sc` (an auth scheme), `qp` (a query parameter's name,
 * kept with its whole value unless the text before it is `?`, `&` or `;`), `pre` (a URL's user, a PEM
 * header, a webhook's host), and `q` (the opening quote of a quoted value).
 */
export interface SecretPass {
  pattern: RegExp;
  needles?: readonly string[];
}

/** Only `key=value` text for these whole-word keys (custom keys when the built-in rules are off). */
export function keyValuePasses(words: readonly string[]): SecretPass[] {
  return [{ pattern: new RegExp(`\\b${keyValue(wordsPattern(words))}`, "g") }];
}

/**
 * The built-in value rules, in the order they run.
 *
 * Scanning cost is what matters here: every long string recorded goes through these, and V8's RegExp
 * engine pays at every position for each alternative it tries there. The main pass therefore holds
 * only alternatives that start at a word boundary, behind a single `\b`; every other shape has its own
 * pass behind an `indexOf` test. On text without secrets this costs about twice the old scan of a few
 * token formats (`npm run bench -- core` covers calls without values; see docs/core.md).
 *
 * @param extraWords more whole-word keys (a Redactor's custom string keys, as words)
 */
export function builtinPasses(extraWords: readonly string[] = []): SecretPass[] {
  const query = wordsPattern(SECRET_QUERY_PARAMETERS);
  const atWordStart = [
    // key=value, key: value, "key": "value", KEY="value" with a secret key.
    keyValue(wordsPattern([...SECRET_SUFFIXES, ...SECRET_WORDS, ...extraWords])),
    // Query parameters that are secrets only in URLs: ?key=, &sig=, &Signature=.
    String.raw`(?<qp>(?:${query})=)[^&#\s"'<>]+`,
    // Bearer, Basic and Token credentials (keeps the scheme).
    `(?<sc>${SCHEME}[ \\t]+)${SCHEME_TOKEN}`,
    "sk-[A-Za-z0-9_-]{20,}",
    "[sr]k_(?:live|test)_[A-Za-z0-9]{16,}",
    String.raw`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`,
    String.raw`A(?:KIA|SIA)[0-9A-Z]{16}\b|AIza[0-9A-Za-z_-]{35}`,
    "g(?:h[pousr]_[A-Za-z0-9]{36,}|ithub_pat_[A-Za-z0-9_]{22,}|lpat-[A-Za-z0-9_-]{20,})",
    "xox[abeprs]-[A-Za-z0-9-]{11,}",
    String.raw`ya29\.[0-9A-Za-z_-]{20,}`,
    "npm_[A-Za-z0-9]{36}",
    "hf_[A-Za-z0-9]{30,}",
    String.raw`SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}`,
    String.raw`(?<pre>hooks\.slack\.com\/services\/)[A-Za-z0-9/]{16,}`,
  ];
  // The last word of each suffix as written in camelCase ("Key" of openaiApiKey, "Pass" of dbPassword).
  const humps = [...new Set(SECRET_SUFFIXES.map((s) => capitalize(s.split(" ").at(-1)!).slice(0, 4)))];
  return [
    // PEM private keys: the body between the BEGIN and END lines (or to the end of the text when it
    // was cut); first, so that the body is not scanned for anything else.
    {
      pattern:
        /(?<pre>-----BEGIN[A-Z0-9 ]* PRIVATE KEY[A-Z ]*-----)[\s\S]*?(?=-----END[A-Z0-9 ]* PRIVATE KEY[A-Z ]*-----|$)/g,
      needles: ["PRIVATE KEY"],
    },
    { pattern: new RegExp(`\\b(?:${atWordStart.join("|")})`, "g") },
    // Secret keys ending a snake_case or SCREAMING_CASE key: DB_PASSWORD, aws_secret_access_key.
    { pattern: new RegExp(keyValue(`_${wordsPattern(SECRET_SUFFIXES)}`), "g"), needles: ["_"] },
    // ... or a camelCase key: githubToken, clientSecret, secretAccessKey.
    { pattern: new RegExp(keyValue(wordsPattern(SECRET_SUFFIXES, true)), "g"), needles: humps },
    // The password of URL user-info: scheme://user:password@host (keeps the user).
    { pattern: /(?<pre>:\/\/[^\s:/?#@"'<>]*:)[^\s/?#"'<>]+(?=@)/g, needles: ["://"] },
  ];
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
