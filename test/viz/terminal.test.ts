/**
 * Recorded names and errors can hold anything, terminal escape sequences included. Through the real
 * CLI (a child process), `ls`, `show`, `tail` and `export` must print none of their control
 * characters raw: no screen clear, window title, OSC-8 link, bidi override or fake `✓` line.
 */
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeTempDirs, runCli, tempDir } from "./fixtures/helpers.js";

const ESC = "\x1b";
const CLEAR = `${ESC}[2J${ESC}[H`;
const TITLE = `${ESC}]0;pwned${"\x07"}`;
const LINK = `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`;
const FAKE = "\r✓ all good\n✓ fake line";
const C1 = "\x9b31m\x9d0;c1-title\x9c";
const BIDI = "\u202egnp.exe\u202c\u2066iso\u2069";
const DEL = "\x7f";

/** Every control character the CLI must not print (newline aside: it separates lines). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** runtrace's own colours: SGR sequences of numbers only. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: runtrace's own colour codes.
const OWN_COLOURS = /\u001b\[\d+m/g;

const ID = "20261128-090000-ba5e1e55ed";
const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);

let dir: string;

beforeEach(() => {
  dir = tempDir();
  const lines = [
    // A dead writer: the session reads as finished (`interrupted` would do too; this one ended).
    {
      type: "session",
      v: 1,
      id: `${ID}${TITLE}`,
      name: `report${CLEAR}${TITLE}`,
      start: T0,
      pid: 1,
      host: hostname(),
    },
    {
      type: "call",
      id: "1",
      parent: "0",
      node: `fetch${LINK}${FAKE}`,
      kind: `tool${ESC}[5m`,
      start: T0 + 1,
      end: T0 + 2,
      status: "error",
      error: { name: `Error${C1}`, message: `denied${BIDI}${DEL}${CLEAR}\r✓ retried fine` },
    },
    {
      type: "call",
      id: "2",
      parent: "1",
      node: `child${TITLE}`,
      kind: "function",
      start: T0 + 3,
      end: T0 + 4,
      status: "ok",
    },
    { type: "session-end", status: "error", end: T0 + 10 },
  ];
  // JSON keeps C0 characters escaped in the file; the reader turns them back into the real bytes.
  const text = lines.map((line) => JSON.stringify(line)).join("\n");
  // A line that is not JSON, quoted in the warnings, and a file whose very name is hostile.
  writeFileSync(join(dir, `${ID}.jsonl`), `${text}\nnot json ${CLEAR}${TITLE}\n`);
  writeFileSync(join(dir, `evil${CLEAR}${BIDI}.jsonl`), "garbage\n");
});

afterEach(() => removeTempDirs());

/** What the CLI printed, with its own colour codes taken out when it was asked for colours. */
function printed(result: { stdout: string; stderr: string }): string {
  return (result.stdout + result.stderr).replace(OWN_COLOURS, "");
}

function expectNoRawControls(text: string): void {
  const at = text.search(RAW);
  expect(at === -1 ? "" : JSON.stringify(text.slice(Math.max(0, at - 30), at + 30))).toBe("");
}

describe("hostile names and errors in a terminal", () => {
  it.each([
    { name: "plain", env: {} as Record<string, string> },
    { name: "coloured", env: { NO_COLOR: "", FORCE_COLOR: "1" } },
  ])(
    "ls, show, tail and export print them escaped ($name)",
    async ({ env }) => {
      const commands = {
        ls: ["ls", "--dir", dir],
        show: ["show", ID, "--dir", dir],
        errors: ["show", "latest", "--errors", "--dir", dir],
        tail: ["tail", "--dir", dir],
        jaeger: ["export", ID, "--format", "jaeger", "--dir", dir],
        otlp: ["export", ID, "--format", "otlp", "--dir", dir],
        html: ["export", ID, "--format", "html", "--dir", dir],
        missing: ["show", `nothing${C1}${BIDI}.jsonl`, "--dir", dir],
        option: ["show", ID, `--dept${CLEAR}`],
      };
      const results = await Promise.all(Object.values(commands).map((args) => runCli(args, env)));
      const runs = Object.fromEntries(Object.keys(commands).map((name, i) => [name, results[i]!])) as Record<
        keyof typeof commands,
        (typeof results)[number]
      >;
      for (const [command, result] of Object.entries(runs)) {
        expect({ command, raw: printed(result).search(RAW) === -1 }).toEqual({ command, raw: true });
        expectNoRawControls(printed(result));
      }

      // runtrace's own colours are still there when asked for.
      if (env.FORCE_COLOR) expect(runs.show.stdout).toContain("\x1b[31m✗\x1b[0m");

      // The text is all there, shown as escapes.
      const show = printed(runs.show);
      expect(show).toContain("fetch\\x1b]8;;https://evil.example\\x1b\\click");
      expect(show).toContain("\\r✓ all good\\n✓ fake line");
      expect(show).toContain("[tool\\x1b[5m]");
      expect(show).toContain(
        "Error\\x9b31m\\x9d0;c1-title\\x9c: denied\\u202egnp.exe\\u202c\\u2066iso\\u2069\\x7f",
      );
      expect(show).toContain("child\\x1b]0;pwned\\x07");
      expect(show).toContain(
        "warning: line 5 is not valid JSON and was skipped (not json \\x1b[2J\\x1b[H\\x1b]0;pwned\\x07",
      );
      // One line per call and nothing else: no line was faked.
      expect(runs.show.stdout.trimEnd().split("\n")).toHaveLength(3);
      expect(runs.show.stdout).not.toMatch(/^✓ (all good|fake line)/m);

      const ls = printed(runs.ls);
      expect(ls).toContain("report\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07");
      expect(ls).toContain("evil\\x1b[2J\\x1b[H\\u202egnp.exe");
      expect(printed(runs.tail)).toContain("Following report\\x1b[2J");
      expect(printed(runs.missing)).toContain("nothing\\x9b31m");
      expect(runs.missing.code).toBe(1);
      expect(runs.option.code).toBe(1);

      // The exports are still the same data: parsed, the names come back exactly.
      const jaeger = JSON.parse(runs.jaeger.stdout) as {
        data: Array<{ spans: Array<{ operationName: string }> }>;
      };
      expect(jaeger.data[0]!.spans.map((span) => span.operationName)).toContain(`fetch${LINK}${FAKE}`);
      const otlp = JSON.parse(runs.otlp.stdout);
      expect(JSON.stringify(otlp)).toContain(JSON.stringify(`Error${C1}`).slice(1, -1));
    },
    90_000,
  );
});
