/**
 * Where secrets end up in real programs: names, keys, text, bytes, errors, events, attributes. Each
 * placement gets a marker (`lk07q`) inside its secret, at the end of the secret so that a rule that
 * redacts only part of a secret still leaks the marker, and a label (`at07spot`) next to it, outside
 * the secret, that proves the value was recorded at all.
 */
import * as rt from "@runtrace/core";

/**
 * The marker of placement `n`: unique, no substring of another one, and letters only (digits spelled
 * a to j), so that a secret made only of lower-case letters can carry one.
 */
export const marker = (n: number) =>
  `lk${[...String(n).padStart(2, "0")].map((d) => String.fromCharCode(97 + Number(d))).join("")}q`;
/** The label of placement `n`: recorded as is, next to the secret. */
export const label = (n: number) => `at${String(n).padStart(2, "0")}spot`;

/** `prefix`, filler characters, then `end`, `length` characters in all. */
function token(prefix: string, end: string, length: number, filler = "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9"): string {
  const fill = length - prefix.length - end.length;
  return prefix + filler.repeat(4).slice(0, fill) + end;
}

export interface Placement {
  what: string;
  /** Runs inside the session (placement 1 is the session's own name). */
  place(m: string, at: string): Promise<unknown> | unknown;
}

const echo = rt.functionNode((...args: unknown[]) => args[0], { name: "echo" });
const fail = rt.functionNode(
  (error: unknown) => {
    throw error;
  },
  { name: "fail" },
);
const call = (...args: unknown[]) => rt.call(echo, ...args);
const failWith = (error: unknown) => rt.call(fail, error).catch(() => undefined);

export const PLACEMENTS: Placement[] = [
  // 0 unused, so that numbers read as in the list.
  { what: "(none)", place: () => undefined },
  // Names.
  { what: "an sk- key in the session name", place: () => undefined },
  {
    what: "a bearer token in rt.callWith({ name })",
    place: (m, at) => rt.callWith({ name: `${at} Bearer ${token("x", m, 24)}` }, echo, 1),
  },
  { what: "password= in an event name", place: (m, at) => rt.event(`${at} login password=hunter2${m}`) },
  {
    what: "?api_key= in a node's own name",
    place: (m, at) =>
      rt.call(rt.functionNode(() => 1, { name: `${at} GET https://api.example.com/v1?api_key=${m}` })),
  },
  {
    what: "an sk- key as an attribute key",
    place: (m, at) => rt.setAttributes({ [`${at} sk-proj-${token("", m, 24)}`]: 1 }),
  },
  {
    what: "an api key in rt.callWith({ attributes })",
    place: (m, at) => rt.callWith({ attributes: { label: at, apiKey: `key-${m}` } }, echo, 1),
  },
  {
    what: "a GitHub token in an event name",
    place: (m, at) => rt.event(`${at} cloned with ${token("ghp_", m, 40)}`),
  },
  { what: "(reserved)", place: () => undefined },
  { what: "(reserved)", place: () => undefined },
  // Keys.
  { what: "key pwd", place: (m, at) => call({ label: at, pwd: `pw-${m}` }) },
  { what: "key pass", place: (m, at) => call({ label: at, user: "bob", pass: `pw-${m}` }) },
  { what: "key passwd", place: (m, at) => call({ label: at, passwd: `pw-${m}` }) },
  {
    what: "key aws_secret_access_key",
    place: (m, at) => call({ label: at, aws_secret_access_key: `aws-${m}` }),
  },
  { what: "key secretAccessKey", place: (m, at) => call({ label: at, secretAccessKey: `aws-${m}` }) },
  { what: "header x-api-key", place: (m, at) => call({ label: at, headers: { "x-api-key": `k-${m}` } }) },
  {
    what: "header Ocp-Apim-Subscription-Key",
    place: (m, at) => call({ label: at, headers: { "Ocp-Apim-Subscription-Key": `k-${m}` } }),
  },
  { what: "key X-Amz-Signature", place: (m, at) => call({ label: at, "X-Amz-Signature": `sig-${m}` }) },
  { what: "key client_secret", place: (m, at) => call({ label: at, client_secret: `cs-${m}` }) },
  { what: "key private_key", place: (m, at) => call({ label: at, private_key: `pk-${m}` }) },
  { what: "key session_id", place: (m, at) => call({ label: at, session_id: `sid-${m}` }) },
  { what: "key cookie", place: (m, at) => call({ label: at, cookie: `connect.sid=${m}` }) },
  { what: "key Authorization", place: (m, at) => call({ label: at, Authorization: `Basic ${m}` }) },
  { what: "key apiKey", place: (m, at) => call({ label: at, apiKey: `k-${m}` }) },
  { what: "key refresh_token", place: (m, at) => call({ label: at, refresh_token: `rt-${m}` }) },
  {
    what: "a Map entry password",
    place: (m, at) =>
      call(
        new Map([
          ["label", at],
          ["password", `pw-${m}`],
        ]),
      ),
  },
  {
    what: "set-cookie headers as a list",
    place: (m, at) => call({ label: at, "set-cookie": [`sid=${m}; Path=/; HttpOnly`] }),
  },
  { what: "key PHPSESSID", place: (m, at) => call({ label: at, PHPSESSID: `s-${m}` }) },
  { what: "(reserved)", place: () => undefined },
  { what: "(reserved)", place: () => undefined },
  // Text.
  {
    what: "a lower-case bearer token",
    place: (m, at) => call(`${at} authorization: bearer lowercasetokenvalue${m}`),
  },
  {
    what: "an sk- key in a prompt",
    place: (m, at) => call(`${at} use ${token("sk-proj-", m, 40)} to answer`),
  },
  { what: "Token <tok>", place: (m, at) => call(`${at} Authorization: Token ${token("", m, 40)}`) },
  { what: "a GitHub token", place: (m, at) => call(`${at} ${token("ghp_", m, 40)}`) },
  { what: "a fine-grained GitHub token", place: (m, at) => call(`${at} ${token("github_pat_", m, 60)}`) },
  { what: "a Slack token", place: (m, at) => call(`${at} slack ${token("xoxb-1234567890-", m, 40)}`) },
  {
    what: "an AWS access key id",
    place: (m, at) => call(`${at} aws ${token("AKIA", m.toUpperCase(), 20, "ABCDEFGHIJKLMNOP")}`),
  },
  { what: "a Google API key", place: (m, at) => call(`${at} maps ${token("AIza", m, 39)}`) },
  {
    what: "a JWT",
    place: (m, at) =>
      call(
        `${at} jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${token("dozjgNryP4J3jVmNHl0w5N", m, 43)}`,
      ),
  },
  { what: "a Google OAuth token", place: (m, at) => call(`${at} ${token("ya29.a0AfH6SMB", m, 60)}`) },
  {
    what: "postgres://user:password@host",
    place: (m, at) => call(`${at} postgres://app:pw${m}@db.internal:5432/app`),
  },
  {
    what: "URL user-info",
    place: (m, at) => call(`${at} fetching https://deploy:pw${m}@git.example.com/repo.git`),
  },
  { what: "?api_key=", place: (m, at) => call(`${at} https://api.example.com/v1/items?api_key=${m}&page=2`) },
  { what: "?access_token=", place: (m, at) => call(`${at} https://graph.example.com/me?access_token=${m}`) },
  { what: "?key=", place: (m, at) => call(`${at} https://maps.example.com/api/geocode?address=x&key=${m}`) },
  {
    what: "X-Amz-Signature= in a presigned URL",
    place: (m, at) =>
      call(`${at} https://b.s3.amazonaws.com/k.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${m}`),
  },
  { what: "password= in form data", place: (m, at) => call(`${at} user=bob&password=${m}&remember=1`) },
  {
    what: "password= in an error message",
    place: (m, at) => failWith(new Error(`${at} login failed for user=bob password=${m}`)),
  },
  {
    what: "a JSON text body with password",
    place: (m, at) => call(JSON.stringify({ label: at, user: "bob", password: `correct horse ${m}` })),
  },
  {
    what: "JSON text inside JSON text",
    place: (m, at) => call(JSON.stringify({ label: at, body: JSON.stringify({ api_key: `k-${m}` }) })),
  },
  {
    what: "camelCase JSON text",
    place: (m, at) => call(JSON.stringify({ label: at, clientSecret: `cs-${m}`, accessToken: `at-${m}` })),
  },
  {
    what: "a PEM private key",
    place: (m, at) =>
      call(
        `${at}\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n${m}VUsDtO7xYa1dB2h4k\n-----END RSA PRIVATE KEY-----\n`,
      ),
  },
  {
    what: "header pairs [['x-api-key', v]]",
    place: (m, at) =>
      call({
        label: at,
        headers: [
          ["content-type", "application/json"],
          ["x-api-key", `k-${m}`],
        ],
      }),
  },
  {
    what: "AWS_SECRET_ACCESS_KEY= in env-style text",
    place: (m, at) =>
      call(`# ${at}\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/${m}\n`),
  },
  {
    what: 'DB_PASSWORD="..." in env-style text',
    place: (m, at) => call(`# ${at}\nDB_HOST=localhost\nDB_PASSWORD="two words ${m}"\n`),
  },
  {
    what: "a Buffer holding a bearer token (its hex preview)",
    place: (m, at) =>
      call({
        label: at,
        body: Buffer.from(`Bearer ${token("tk", m, 20)}\r\nHost: api.example.com\r\n`),
      }),
  },
  {
    what: "a Uint8Array holding password= (its byte preview)",
    place: (m, at) => call({ label: at, bytes: new TextEncoder().encode(`password=${m}&user=bob`) }),
  },
  {
    what: "an sk- key in an error message and stack",
    place: (m, at) => failWith(new Error(`${at} invalid key ${token("sk-", m, 40)}`)),
  },
  {
    what: "a secret in an error's cause",
    place: (m, at) =>
      failWith(
        new Error(`${at} request failed`, { cause: new Error(`401 for Bearer ${token("c", m, 24)}`) }),
      ),
  },
  { what: "a thrown string", place: (m, at) => failWith(`${at} bad credentials password=${m}`) },
  {
    what: "token= in the error of a retried attempt",
    place: (m, at) => {
      let attempts = 0;
      const flaky = rt.functionNode(
        () => {
          if (attempts++ === 0) throw new Error(`upstream refused token=${m}`);
          return "ok";
        },
        { name: "flaky", retry: { attempts: 2, delayMs: 1 } },
      );
      return rt.callWith({ name: `flaky ${at}` }, flaky);
    },
  },
  {
    what: "a bearer token in event data",
    place: (m, at) => rt.event("request", { label: at, header: `Bearer ${token("ev", m, 24)}` }),
  },
  {
    what: "access_token in a call's output",
    place: (m, at) =>
      rt.call(rt.functionNode(() => ({ label: at, access_token: `at-${m}` }), { name: "login" })),
  },
  {
    what: "a secret straddling the cut of a long string",
    place: (m, at) => call(`${at} ${"x".repeat(8170)} sk-${token("", m, 40)}`),
  },
  {
    what: "a URL object with credentials and a token",
    place: (m, at) => call({ label: at, url: new URL(`https://svc:pw${m}@api.example.com/?token=${m}`) }),
  },
  { what: "a Cookie header in text", place: (m, at) => call(`${at}\nCookie: session_id=${m}; theme=dark`) },
  {
    what: "Basic credentials in text",
    place: (m, at) => call(`${at} Authorization: Basic dXNlcjpw${m}YXNz`),
  },
  {
    what: "a Slack webhook URL",
    place: (m, at) =>
      call(`${at} posting to https://hooks.slack.com/services/T0000/B0000/${token("", m, 24)}`),
  },
  { what: "a Stripe secret key", place: (m, at) => call(`${at} ${token("sk_live_", m, 32)}`) },
  {
    what: "a bearer token in session-level attributes set later",
    place: (m, at) =>
      rt.setAttributes({ label: at, upstream: `Authorization: Bearer ${token("sa", m, 24)}` }),
  },
];
