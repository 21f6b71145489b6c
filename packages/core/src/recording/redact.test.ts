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
      "pwd",
      "PASS",
      "passcode",
      "auth",
      "aws_secret_access_key",
      "secretAccessKey",
      "AWS_SECRET_ACCESS_KEY",
      "Ocp-Apim-Subscription-Key",
      "X-Amz-Signature",
      "x-goog-signature",
      "x-amz-security-token",
      "clientSecret",
      "client.secret",
      "privateKey",
      "ssh_private_key",
      "signing_key",
      "encryptionKey",
      "storageAccountKey",
      "session_id",
      "sessionId",
      "PHPSESSID",
      "JSESSIONID",
      "sessid",
      "connect.sid",
      "connectionString",
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
      "password_hint",
      "passwordPolicy",
      "passwords",
      "bypass",
      "compass",
      "author",
      "oauth_provider",
      "keyboard",
      "tokenizer",
      "access_key_id",
      "signature",
      "session",
      "sessions",
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
    // Auth schemes: any case of the word, a lower-case token when it is long, and `Token`.
    ["Authorization: Bearer abcdefghijklmnopqrstuvwx", `Authorization: Bearer ${R}`],
    ["header bearer lower-case-token-here", `header bearer ${R}`],
    ["Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", `Authorization: Token ${R}`],
    ["curl -H 'Authorization: token abcdef0123456789' x", `curl -H 'Authorization: token ${R}' x`],
    ["TOKEN abcdef0123456789abcdef", `TOKEN ${R}`],
    // More token formats.
    ["stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", `stripe ${R}`],
    ["google ya29.a0AfH6SMBxxxxxxxxxxxxxxxxxxxxxx", `google ${R}`],
    ["sendgrid SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", `sendgrid ${R}`],
    [
      "hook https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX",
      `hook https://hooks.slack.com/services/${R}`,
    ],
    // key=value text: form data, error messages, env files, YAML, headers.
    ["user=bob&password=hunter2&remember=1", `user=bob&password=${R}&remember=1`],
    ["login failed for pwd=hunter2 (user bob)", `login failed for pwd=${R} (user bob)`],
    [
      "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      `export AWS_SECRET_ACCESS_KEY=${R}`,
    ],
    ['DB_PASSWORD="correct horse battery"\nDB_HOST=localhost', `DB_PASSWORD="${R}"\nDB_HOST=localhost`],
    ["client_secret: s3cr3t-value-here", `client_secret: ${R}`],
    ["Ocp-Apim-Subscription-Key: 0123456789abcdef", `Ocp-Apim-Subscription-Key: ${R}`],
    ["Authorization: Basic dXNlcjpwYXNzd29yZA== ok", `Authorization: Basic ${R} ok`],
    ["ruby { :password => 'hunter2' } end", `ruby { :password => '${R}' } end`],
    // JSON text, also when it is itself inside a JSON string.
    ['{"user":"bob","password": "hunter 2 with spaces","n":1}', `{"user":"bob","password": "${R}","n":1}`],
    ['{"clientSecret":"abc","accessToken":"def"}', `{"clientSecret":"${R}","accessToken":"${R}"}`],
    ['{"body":"{\\"api_key\\":\\"abc123\\"}"}', `{"body":"{\\"api_key\\":\\"${R}\\"}"}`],
    // URL credentials and secret query parameters.
    ["postgres://admin:s3cr3t@db.example.com:5432/app", `postgres://admin:${R}@db.example.com:5432/app`],
    ["redis://:p4ss@cache:6379", `redis://:${R}@cache:6379`],
    ["https://api.example.com/v1?api_key=abc123&q=1", `https://api.example.com/v1?api_key=${R}&q=1`],
    ["https://x.example/cb?code=1&access_token=abc123", `https://x.example/cb?code=1&access_token=${R}`],
    ["https://maps.example.com/api?key=AIzaSyB-short&q=x", `https://maps.example.com/api?key=${R}&q=x`],
    [
      "https://b.s3.amazonaws.com/k?X-Amz-Signature=deadbeef&X-Amz-Date=1",
      `https://b.s3.amazonaws.com/k?X-Amz-Signature=${R}&X-Amz-Date=1`,
    ],
    [
      "https://acct.blob.core.windows.net/c/b?sv=2020&sig=abc%2Bdef",
      `https://acct.blob.core.windows.net/c/b?sv=2020&sig=${R}`,
    ],
    // PEM private keys: the BEGIN and END lines stay, the body goes (to the end when cut).
    [
      "key: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- done",
      `key: -----BEGIN RSA PRIVATE KEY-----${R}-----END RSA PRIVATE KEY----- done`,
    ],
    [
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA",
      `-----BEGIN OPENSSH PRIVATE KEY-----${R}`,
    ],
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
      "password_hint: min 8 chars, one digit",
      '{"max_tokens": 100, "input_tokens": 12, "tokens": 7, "token_count": 3}',
      "https://example.com/search?q=hello&page=2#top",
      "http://localhost:4318/v1/traces",
      "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "request 123e4567-e89b-12d3-a456-426614174000 done",
      "a key=value pair is how settings are written",
      "bypass=1234567890 and compass=north",
      "The secret of a good prompt is context.",
      "Token usage: spoken 2024-01-01T10:00:00Z, broken https://example.com/a/long/path",
      "a token 1234567890abcdefgh in prose is not a header",
    ]) {
      expect(defaultRedactor.redactString(s)).toBe(s);
    }
  });

  it("judges a key in text by the same rules as an object's key", () => {
    // Labels before ":" may have several words; before "=" the key is one word.
    expect(defaultRedactor.redactString("API key: abc123def, then more")).toBe(`API key: ${R}, then more`);
    expect(defaultRedactor.redactString("Password policy: min 8 chars, one digit")).toBe(
      "Password policy: min 8 chars, one digit",
    );
    expect(defaultRedactor.redactString("user bob pwd=hunter2 host=db")).toBe(`user bob pwd=${R} host=db`);
    // A RegExp key applies to text too, and so do keys given as strings.
    const custom = new Redactor({ keys: [/^x-internal-/i, "ssn"] });
    expect(custom.redactString("X-Internal-Route: blue-green-2 and ssn: 123-45-6789")).toBe(
      `X-Internal-Route: ${R} and ssn: ${R}`,
    );
  });

  it("redacts the value of key= outside a query string only when it holds a secret", () => {
    expect(defaultRedactor.redactString("config key=sk-abcdefghijklmnopqrstuvwxyz")).toBe(`config key=${R}`);
  });

  it("gives the same text when run again on its own output", () => {
    for (const [input] of cases) {
      const once = defaultRedactor.redactString(input);
      expect(defaultRedactor.redactString(once), input).toBe(once);
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

  it("finds custom string keys in key=value text too, with or without the built-in rules", () => {
    expect(new Redactor({ keys: ["ssn"] }).redactString("customer ssn=123-45-6789 ok")).toBe(
      `customer ssn=${R} ok`,
    );
    const only = new Redactor({ defaults: false, keys: ["Customer-Email"] });
    expect(only.redactString('{"customer_email": "a@example.com", "password": "p"}')).toBe(
      `{"customer_email": "${R}", "password": "p"}`,
    );
    expect(only.shortStringsSafe).toBe(true);
  });

  it("keeps only custom patterns with defaults: false", () => {
    const redactor = new Redactor({ defaults: false, patterns: [/secret-\w+/] });
    expect(redactor.redactString("sk-abcdefghijklmnopqrstuvwxyz")).toBe("sk-abcdefghijklmnopqrstuvwxyz");
    expect(redactor.redactString("x secret-abc")).toBe(`x ${R}`);
  });
});

describe("Redactor.redactName", () => {
  it("redacts like redactString and answers the same on repeated calls", () => {
    const redactor = new Redactor();
    const name = "fetch https://api.example.com/v1?api_key=abc123";
    for (let i = 0; i < 3; i++)
      expect(redactor.redactName(name)).toBe(`fetch https://api.example.com/v1?api_key=${R}`);
    expect(redactor.redactName("summarize")).toBe("summarize");
    expect(new Redactor(false).redactName(name)).toBe(name);
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

  it("redacts [name, value] pairs under a secret name, as headers given as entries", () => {
    const headers = [
      ["content-type", "application/json"],
      ["x-api-key", "k-123"],
      ["Authorization", "whatever"],
    ];
    expect(sanitize({ headers })).toEqual({
      headers: [
        ["content-type", "application/json"],
        ["x-api-key", R],
        ["Authorization", R],
      ],
    });
    // Only pairs: a list of words stays as it is.
    expect(sanitize(["password", "token", "secret"])).toEqual(["password", "token", "secret"]);
  });

  it("cuts a Buffer's hex preview before a secret its bytes hold as text", () => {
    const body = Buffer.from("password=hunter2-and-more&user=bob");
    const out = sanitize(body) as { $type: string; bytes: number; hex: string };
    expect(out.$type).toBe("Buffer");
    expect(out.bytes).toBe(body.length);
    expect(out.hex).toBe(`${Buffer.from("password=").toString("hex")}${R}`);
    expect(Buffer.from(out.hex.slice(0, -R.length), "hex").toString()).not.toContain("hunter2");
    // A secret starting inside the preview is seen whole, even when it runs past it.
    const late = Buffer.from(`${"x".repeat(20)} Bearer abcdefghij0123456789abcdef`);
    expect((sanitize(late) as { hex: string }).hex).toBe(
      `${Buffer.from(`${"x".repeat(20)} Bearer `).toString("hex")}${R}`,
    );
    const plainBytes = Buffer.from("an ordinary request body, no secrets in it");
    expect((sanitize(plainBytes) as { hex: string }).hex).toBe(plainBytes.toString("hex", 0, 32));
  });

  it("cuts a byte array's preview before a secret", () => {
    const bytes = new TextEncoder().encode("key sk-abcdefghijklmnopqrstuvwxyz0123");
    const out = sanitize(bytes) as { preview: Array<number | string> };
    expect(out.preview).toEqual([...bytes.slice(0, 4)].concat([R] as never[]));
    expect(sanitize(new Uint8Array([1, 2, 3]))).toEqual({
      $type: "Uint8Array",
      length: 3,
      preview: [1, 2, 3],
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
