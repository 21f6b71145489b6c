import { describe, expect, it } from "vitest";
import { defaultRedactor, Redactor } from "./redact.js";
import { DEFAULT_SANITIZE, sanitize } from "./sanitize.js";

const R = "[redacted]";

describe("Redactor.isSecretKey", () => {
  it("matches the built-in keys in any spelling", () => {
    const keys = [
      "apiKey",
      "api_key",
      "API-KEY",
      "x-api-key",
      "X-Api-Key",
      "password",
      "passwd",
      "passphrase",
      "secret",
      "client_secret",
      "Authorization",
      "proxy-authorization",
      "cookie",
      "Set-Cookie",
      "token",
      "access_token",
      "refreshToken",
      "id_token",
      "authToken",
      "bearer token",
      "sessionToken",
      "csrf-token",
      "private_key",
      "credentials",
      "credential",
    ];
    for (const key of keys) expect(defaultRedactor.isSecretKey(key), key).toBe(true);
  });

  it("matches keys ending in token, secret, password or apikey", () => {
    for (const key of ["githubToken", "DB_PASSWORD", "webhookSecret", "OPENAI_API_KEY", "slack_bot_token"]) {
      expect(defaultRedactor.isSecretKey(key), key).toBe(true);
    }
  });

  it("leaves usage counters and ordinary keys alone", () => {
    const keys = [
      "maxTokens",
      "max_tokens",
      "inputTokens",
      "outputTokens",
      "input_tokens",
      "prompt_tokens",
      "completion_tokens",
      "total_tokens",
      "cache_read_input_tokens",
      "reasoningTokens",
      "tokens",
      "tokenCount",
      "token_count",
      "usage",
      "model",
      "messages",
      "key",
      "secrets_manager_region",
    ];
    for (const key of keys) expect(defaultRedactor.isSecretKey(key), key).toBe(false);
  });

  it("answers the same on repeated calls (cached)", () => {
    const redactor = new Redactor();
    for (let i = 0; i < 3; i++) {
      expect(redactor.isSecretKey("apiKey")).toBe(true);
      expect(redactor.isSecretKey("maxTokens")).toBe(false);
    }
  });

  it("adds custom keys: strings normalised, RegExps on the raw key", () => {
    const redactor = new Redactor({ keys: ["ssn", "Customer-Email", /^x-internal-/g] });
    expect(redactor.isSecretKey("SSN")).toBe(true);
    expect(redactor.isSecretKey("customer_email")).toBe(true);
    // A global RegExp keeps lastIndex; it must still match every time.
    for (let i = 0; i < 3; i++) expect(redactor.isSecretKey(`x-internal-${i}`)).toBe(true);
    expect(redactor.isSecretKey("X-INTERNAL-1")).toBe(false);
    expect(redactor.isSecretKey("apiKey")).toBe(true);
  });

  it("drops the built-in rules with defaults: false", () => {
    const redactor = new Redactor({ defaults: false, keys: ["ssn"] });
    expect(redactor.isSecretKey("ssn")).toBe(true);
    expect(redactor.isSecretKey("password")).toBe(false);
    expect(redactor.isSecretKey("githubToken")).toBe(false);
  });
});

describe("Redactor.redactString", () => {
  const cases: Array<[string, string]> = [
    ["key sk-abcdefghijklmnopqrstuvwxyz012345 end", `key ${R} end`],
    ["sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz_0123-456789", R],
    ["x=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz", `x=${R}`],
    ["Authorization: Bearer abc123DEF456ghi789", `Authorization: Bearer ${R}`],
    ["authorization: bearer 0123456789abcdef", `authorization: bearer ${R}`],
    ["Authorization: Basic dXNlcjpwYXNzd29yZA==", `Authorization: Basic ${R}`],
    ["Basic dXNlcjpwYXNz", `Basic ${R}`],
    [
      "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok",
      `jwt ${R} ok`,
    ],
    ["aws AKIAIOSFODNN7EXAMPLE key", `aws ${R} key`],
    ["ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", R],
    ["gho_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ1234", R],
    ["github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", R],
    ["slack xoxb-123456789012-abcdefghijkl", `slack ${R}`],
    ["AIzaSyA-abcdefghijklmnopqrstuvwxyz01234", R],
    ["two: sk-abcdefghijklmnopqrstuvwxyz and AKIAIOSFODNN7EXAMPLE", `two: ${R} and ${R}`],
  ];

  it.each(cases)("redacts %s", (input, expected) => {
    expect(defaultRedactor.redactString(input)).toBe(expected);
  });

  it("leaves prose and ordinary text alone", () => {
    for (const s of [
      "Bearer tokens are sent in the Authorization header.",
      "Basic authentication is deprecated here",
      "The task-runner finished the risk-assessment",
      "eyJ is how base64 JSON starts",
      "plain text that is long enough to be scanned",
    ]) {
      expect(defaultRedactor.redactString(s)).toBe(s);
    }
  });

  it("returns strings shorter than 16 characters untouched", () => {
    const s = "Bearer abc12345";
    expect(s.length).toBe(15);
    expect(defaultRedactor.redactString(s)).toBe(s);
    // The shortest possible built-in match is exactly 16 characters.
    expect(defaultRedactor.redactString("Basic abc1234567")).toBe(`Basic ${R}`);
  });

  it("applies custom patterns, global or not, everywhere in the string", () => {
    const redactor = new Redactor({ patterns: [/\d{3}-\d{2}-\d{4}/, /acct_[a-z]+/g] });
    expect(redactor.redactString("a 123-45-6789 b 987-65-4321 acct_x")).toBe(`a ${R} b ${R} ${R}`);
    expect(redactor.redactString("acct_ab")).toBe(R);
    expect(redactor.redactString("sk-abcdefghijklmnopqrstuvwxyz")).toBe(R);
  });

  it("uses the replacement literally", () => {
    const redactor = new Redactor({ replacement: "<$&>" });
    expect(redactor.replacement).toBe("<$&>");
    expect(redactor.redactString("Bearer abc123DEF456ghi789")).toBe("Bearer <$&>");
  });

  it("keeps only custom patterns with defaults: false", () => {
    const redactor = new Redactor({ defaults: false, patterns: [/secret-\w+/] });
    expect(redactor.redactString("sk-abcdefghijklmnopqrstuvwxyz")).toBe("sk-abcdefghijklmnopqrstuvwxyz");
    expect(redactor.redactString("x secret-abc")).toBe(`x ${R}`);
  });
});

describe("Redactor(false)", () => {
  it("redacts nothing", () => {
    const redactor = new Redactor(false);
    expect(redactor.enabled).toBe(false);
    expect(redactor.isSecretKey("password")).toBe(false);
    expect(redactor.redactString("Bearer abc123DEF456ghi789")).toBe("Bearer abc123DEF456ghi789");
  });

  it("is on by default", () => {
    expect(defaultRedactor.enabled).toBe(true);
    expect(new Redactor().enabled).toBe(true);
    expect(new Redactor({}).replacement).toBe(R);
  });
});

describe("sanitize: redaction", () => {
  it("replaces values under secret keys and leaves usage counts", () => {
    const out = sanitize({
      headers: { Authorization: "Bearer abc", "x-api-key": "k" },
      credentials: { user: "u", pass: "p" },
      usage: { inputTokens: 10, outputTokens: 5, total_tokens: 15 },
      maxTokens: 100,
      max_tokens: 100,
      tokens: ["a", "b"],
      tokenCount: 3,
    });
    expect(out).toEqual({
      headers: { Authorization: R, "x-api-key": R },
      credentials: R,
      usage: { inputTokens: 10, outputTokens: 5, total_tokens: 15 },
      maxTokens: 100,
      max_tokens: 100,
      tokens: ["a", "b"],
      tokenCount: 3,
    });
  });

  it("redacts secrets inside strings, keys and Map entries", () => {
    const key = "sk-abcdefghijklmnopqrstuvwxyz0123";
    expect(sanitize([`use ${key} now`])).toEqual([`use ${R} now`]);
    expect(sanitize({ [key]: 1 })).toEqual({ [R]: 1 });
    expect(sanitize(new Map([["password", "hunter2"]]))).toEqual({
      $type: "Map",
      size: 1,
      entries: [["password", R]],
    });
  });

  it("does not read a getter under a secret key", () => {
    let reads = 0;
    const obj = {
      get password() {
        reads++;
        return "x";
      },
    };
    expect(sanitize(obj)).toEqual({ password: R });
    expect(reads).toBe(0);
  });

  it("redacts nothing with a disabled redactor", () => {
    const options = { ...DEFAULT_SANITIZE, redactor: new Redactor(false) };
    expect(sanitize({ password: "p", s: "Bearer abc123DEF456ghi789" }, options)).toEqual({
      password: "p",
      s: "Bearer abc123DEF456ghi789",
    });
  });
});
