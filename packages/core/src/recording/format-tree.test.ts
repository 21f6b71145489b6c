import { describe, expect, it } from "vitest";
import * as rt from "../index.js";

describe("formatDuration", () => {
  it.each([
    [0.4219, "0.42 ms"],
    [12.34, "12.3 ms"],
    [512.4, "512 ms"],
    [1250, "1.25 s"],
    [125_000, "2 m 5 s"],
    [119_700, "2 m 0 s"],
    [3_725_000, "1 h 2 m"],
    [-1, "–"],
    [Number.NaN, "–"],
  ])("%s ms reads %s", (ms, text) => {
    expect(rt.formatDuration(ms)).toBe(text);
  });

  it("shows a damaged stored duration (not a number) as – instead of throwing", () => {
    expect(rt.formatDuration("12" as unknown as number)).toBe("–");
  });
});

describe("formatTree", () => {
  it("shows status, kind, duration, attempts and errors, to a depth, without colour when asked", async () => {
    rt.configure({ store: null });
    const leaf = rt.functionNode(() => 1, { name: "leaf", kind: "tool" });
    const broken = rt.functionNode(
      () => {
        throw new Error("bad\nthing");
      },
      { name: "broken" },
    );
    const top = rt.functionNode(
      async () => {
        await rt.call(leaf);
        await rt.call(broken).catch(() => undefined);
      },
      { name: "top" },
    );
    const session = new rt.Session({ name: "fmt" });
    await session.run(() => rt.call(top));
    const text = rt.formatTree(session.tree, { color: false });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^✓ fmt \[session\] [\d.]+ ms \d{8}-\d{6}-[0-9a-f]{10}$/);
    expect(lines[1]).toMatch(/^└─ ✓ top [\d.]+ ms$/);
    expect(lines[2]).toMatch(/^ {3}├─ ✓ leaf \[tool\] [\d.]+ ms$/);
    expect(lines[3]).toMatch(/^ {3}└─ ✗ broken [\d.]+ ms error Error: bad thing$/);
    expect(rt.formatTree(session.tree, { color: false, depth: 1 }).split("\n")).toEqual([
      lines[0],
      lines[1],
      "   └─ … 2 more below",
    ]);
    expect(rt.formatTree(session.tree, { color: false, errorsOnly: true }).split("\n")).toEqual([
      lines[0],
      lines[1],
      lines[3]!.replace("├─", "└─"),
    ]);
    expect(rt.formatTree(session.tree, { color: true })).toContain("\x1b[31m");
  });

  it("shows control characters in recorded names and errors as escapes, keeping its own colours", async () => {
    rt.configure({ store: null });
    const hostile = rt.functionNode(
      () => {
        throw new TypeError("denied\u202e\x9b2J\x1b]0;title\x07");
      },
      { name: "fetch\x1b[2J\r✓ fine\n✓ fake\x7f", kind: "tool" },
    );
    const session = new rt.Session({ name: "s\x1b]8;;https://x.example\x07link" });
    await session.run(() => rt.call(hostile).catch(() => undefined));
    const plain = rt.formatTree(session.tree, { color: false });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
    expect(plain).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(plain.split("\n")).toHaveLength(2);
    expect(plain).toContain("s\\x1b]8;;https://x.example\\x07link [session]");
    expect(plain).toContain("✗ fetch\\x1b[2J\\r✓ fine\\n✓ fake\\x7f [tool] ");
    expect(plain).toContain("TypeError: denied\\u202e\\x9b2J\\x1b]0;title\\x07");
    const coloured = rt.formatTree(session.tree, { color: true });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: runtrace's own colour codes.
    expect(coloured.replace(/\x1b\[\d+m/g, "")).toBe(plain);
  });
});
