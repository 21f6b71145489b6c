/**
 * The built-in secret rules: which keys hold secrets, and what secrets look like inside text. The key
 * rules are one maintained list for objects and text alike: a key listed here is redacted as an
 * object's property, a Map entry, a `[name, value]` pair, and in `key=value`, `key: value` and
 * `"key": "value"` text (see key-values.ts).
 */

/**
 * Keys whose value is a secret whatever comes before them (`githubToken`, `DB_PASSWORD`,
 * `aws_secret_access_key`), compared in lower case without "-", "_", "." and spaces. Usage counters
 * (`maxTokens`, `input_tokens`) end in "tokens", so they stay.
 */
export const SECRET_SUFFIXES = [
  "token",
  "secret",
  "password",
  "passwd",
  "passphrase",
  "passcode",
  "apikey",
  "accesskey",
  "privatekey",
  "secretkey",
  "signingkey",
  "encryptionkey",
  "masterkey",
  "accountkey",
  "subscriptionkey",
  "sessionid",
  "authorization",
  "cookie",
  "credential",
  "credentials",
  "connectionstring",
];

/** Keys that hold a secret only as a whole key: `pass` but not `bypass`, `auth` but not `oauth`. */
export const SECRET_WORDS = [
  "pwd",
  "pass",
  "auth",
  "sessid",
  "phpsessid",
  "connectsid",
  "xamzsignature",
  "xgoogsignature",
];

/** Lower case without separators: what key rules compare. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_. ]/g, "");
}

const TOKEN_CHAR = "[A-Za-z0-9._~+/-]";
/**
 * A credential after an auth scheme: 16 token characters, or 10 with a digit, an upper-case letter
 * or a symbol after the first one, so prose like "Bearer tokens are..." is left alone.
 */
const SCHEME_TOKEN = `(?:${TOKEN_CHAR}{16,}|${TOKEN_CHAR}(?=${TOKEN_CHAR}*[0-9A-Z_~+/])${TOKEN_CHAR}{9,})=*`;

/**
 * One pass of redaction over a string: every match of `pattern` is replaced. The pass runs only when
 * the string contains one of `needles` (when given): `includes` is far cheaper than a RegExp scan
 * (when the needle starts with a rare character), so rare shapes of secrets cost little to strings
 * that cannot hold them.
 *
 * Named groups say what a match keeps in front of the replacement, so the record still tells what was
 * there: `sc` (an auth scheme), `tk` (the end of the word Token, kept with its whole value unless it
 * is that word: see Redactor), `pre` (a URL's user, a PEM header, a webhook's host).
 */
export interface SecretPass {
  pattern: RegExp;
  needles?: readonly string[];
}

/**
 * The built-in value rules for text, in the order they run (key=value text is found separately, see
 * key-values.ts).
 *
 * Scanning cost is what matters: every long string recorded goes through these. V8 scans a text
 * quickly for a few alternatives that each start at a word boundary with a literal, and several times
 * slower once there are more than about nine of them, or when one starts with a common letter in any
 * case. So the pass that always runs holds the nine most common token formats, and every other rule
 * has its own pass behind an `includes` test or a literal V8 can search for.
 */
export function builtinPasses(): SecretPass[] {
  return [
    // PEM private keys: the body between the BEGIN and END lines (or to the end of the text when it
    // was cut); first, so that the body is not scanned for anything else.
    {
      pattern:
        /(?<pre>-----BEGIN[A-Z0-9 ]* PRIVATE KEY[A-Z ]*-----)[\s\S]*?(?=-----END[A-Z0-9 ]* PRIVATE KEY[A-Z ]*-----|$)/g,
      needles: ["PRIVATE KEY"],
    },
    {
      pattern: new RegExp(
        [
          `\\b(?<sc>(?:Bearer|bearer|BEARER|Basic|basic|BASIC)[ \\t]+)${SCHEME_TOKEN}`,
          String.raw`\bsk-[A-Za-z0-9_-]{20,}`,
          String.raw`\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`,
          String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
          String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}`,
          String.raw`\bgithub_pat_[A-Za-z0-9_]{22,}`,
          String.raw`\bxox[abeprs]-[A-Za-z0-9-]{11,}`,
          String.raw`\bAIza[0-9A-Za-z_-]{35}`,
          String.raw`\bya29\.[0-9A-Za-z_-]{20,}`,
        ].join("|"),
        "g",
      ),
    },
    // `Token <credential>` (after an `Authorization` key, `token` in any case is found with the key).
    // V8 searches the literal "oken" quickly; the replacement checks that it ends the word Token.
    { pattern: new RegExp(`(?<tk>(?:oken|OKEN)[ \\t]+)${SCHEME_TOKEN}`, "g"), needles: ["Token", "TOKEN"] },
    {
      pattern: new RegExp(
        [
          String.raw`\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}`,
          String.raw`\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}`,
          String.raw`(?<pre>hooks\.slack\.com\/services\/)[A-Za-z0-9/]{16,}`,
        ].join("|"),
        "g",
      ),
      needles: ["_live_", "_test_", "SG.", "/services/"],
    },
    // The password of URL user-info: scheme://user:password@host (keeps the user). Text with URLs is
    // common, URLs with credentials are not: "@" is the cheaper test.
    { pattern: /(?<pre>:\/\/[^\s:/?#@"'<>]*:)[^\s/?#"'<>]+(?=@)/g, needles: ["@"] },
  ];
}
