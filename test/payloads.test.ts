import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as rt from "@runtrace/core";
import { afterEach, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "runtrace-payloads-"));
const store = rt.jsonlStore({ dir });
const echo = rt.functionNode((...args: unknown[]) => args[0], { name: "echo" });

afterEach(() => {
  rt.configure({ redact: true, maxPayloadBytes: 65_536 });
});

async function record(...args: unknown[]): Promise<{ tree: rt.CallTree; text: string; bytes: number }> {
  const session = new rt.Session({ name: "payloads", store });
  await session.run(() => rt.call(echo, ...args));
  const file = store.fileOf(session.id);
  const tree = await rt.readSession(file);
  return { tree, text: readFileSync(file, "utf8"), bytes: statSync(file).size };
}

describe("recording hostile values", () => {
  it("records a cyclic object, a BigInt, a 10 MB Buffer and a 1 MB string within the limits", async () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const big = Buffer.alloc(10 * 1024 * 1024, 7);
    const long = "x".repeat(1024 * 1024);
    const { tree, bytes } = await record(
      cyclic,
      12345678901234567890n,
      big,
      long,
      new Map([["k", new Set([1])]]),
    );
    const input = tree.find("echo")!.input as unknown[];
    expect(input[0]).toEqual({ name: "loop", self: "[Circular]" });
    expect(input[1]).toBe("12345678901234567890n");
    expect(input[2]).toMatchObject({ $type: "Buffer", bytes: 10 * 1024 * 1024 });
    expect(typeof input[3]).toBe("string");
    expect(input[3] as string).toMatch(/…\[\+\d+ chars\]$/);
    expect(input[4]).toEqual({
      $type: "Map",
      size: 1,
      entries: [["k", { $type: "Set", size: 1, values: [1] }]],
    });
    // Input and output of one call, each within 64 KiB (plus JSON framing): far below the 11 MB given.
    expect(bytes).toBeLessThan(4 * 65_536);
    expect(tree.find("echo")!.output).toEqual({ name: "loop", self: "[Circular]" });
  });

  it("never writes a secret to the file", async () => {
    const apiKey = "sk-proj-Zx8aQ3vN7mK2pL9sT4wY6uB1cD5eF0gH";
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const { tree, text } = await record({
      apiKey,
      headers: { Authorization: `Bearer ${jwt}` },
      prompt: `use key ${apiKey} to answer`,
      usage: { input_tokens: 12, max_tokens: 100 },
    });
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(jwt);
    expect(text).not.toContain("Zx8aQ3vN7mK2pL9s");
    const input = (tree.find("echo")!.input as unknown[])[0];
    expect(input).toEqual({
      apiKey: "[redacted]",
      headers: { Authorization: "[redacted]" },
      prompt: "use key [redacted] to answer",
      usage: { input_tokens: 12, max_tokens: 100 },
    });
  });

  it("adds redaction rules and honours a smaller payload budget", async () => {
    rt.configure({ redact: { keys: ["ssn"], patterns: [/\b\d{3}-\d{2}-\d{4}\b/g] }, maxPayloadBytes: 1024 });
    const { tree, bytes } = await record({
      ssn: "123-45-6789",
      note: "call 987-65-4321 now",
      blob: "y".repeat(50_000),
    });
    const input = (tree.find("echo")!.input as Array<Record<string, unknown>>)[0]!;
    expect(input.ssn).toBe("[redacted]");
    expect(input.note).toBe("call [redacted] now");
    expect(bytes).toBeLessThan(6 * 1024);
  });

  it("records values verbatim when redaction is turned off", async () => {
    rt.configure({ redact: false });
    const { tree } = await record({ password: "hunter2" });
    expect((tree.find("echo")!.input as unknown[])[0]).toEqual({ password: "hunter2" });
  });
});

describe("custom redaction patterns", () => {
  it("apply to short strings passed directly as arguments and returned as results", async () => {
    rt.configure({ redact: { patterns: [/\b\d{3}-\d{2}-\d{4}\b/g] } });
    const { tree, text } = await record("123-45-6789");
    expect(text).not.toContain("123-45-6789");
    expect(tree.find("echo")!.input).toEqual(["[redacted]"]);
    expect(tree.find("echo")!.output).toBe("[redacted]");
  });
});
