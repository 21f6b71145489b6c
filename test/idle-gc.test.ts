import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as rt from "@runtrace/core";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/idle-gc.mjs", import.meta.url));

// Functions of runtrace's call path, as V8 names them in its deoptimization trace.
const CALL_PATH = new Set([
  "call",
  "run",
  "begin",
  "#runAttempt",
  "#attemptDone",
  "#claim",
  "#cleanup",
  "Execution",
  "Frame",
  "LiveRecord",
  "set end",
  "get end",
  "startCall",
  "endCall",
  "attach",
  "attemptContext",
  "currentTraceContext",
  "enter",
  "leave",
  "started",
  "ended",
  "open",
  "add",
  "settle",
  "openSession",
  "SessionFile",
  "#touch",
  "#make",
  "#write",
  "<instance_members_initializer>",
]);

/** The call-path functions whose optimized code a collection threw away once warm. */
function thrownAway(mode: string): string[] {
  const child = spawnSync(process.execPath, ["--expose-gc", "--trace-opt", "--trace-deopt", fixture, mode], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(child.status, child.stderr).toBe(0);
  // The call path was optimized (else nothing could be thrown away), then warm batches ran.
  expect(child.stdout).toMatch(/completed optimizing \S+ <JSFunction #runAttempt /);
  const at = child.stdout.indexOf("--- steady");
  expect(at).toBeGreaterThan(0);
  const steady = child.stdout.slice(at);
  return [...steady.matchAll(/marking dependent code .*?<SharedFunctionInfo ([^>]*)>.*reason: weak objects/g)]
    .map((match) => match[1]!)
    .filter((name) => CALL_PATH.has(name));
}

describe("a process idle at a major garbage collection", () => {
  // Before the call path's hidden classes were kept, every batch threw away the optimized code of
  // Execution, Frame, LiveRecord and the rest, and the next batch ran unoptimized (several times
  // the CPU per call until it was compiled again).
  it.each([
    ["recording off", "off"],
    ["the memory store", "memory"],
    ["the JSONL store", "jsonl"],
  ])("keeps the call path optimized, with %s", (_, mode) => {
    expect(thrownAway(mode)).toEqual([]);
  });

  it("keeps nothing anybody can see: no node, no session, no file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-idle-gc-"));
    const store = rt.jsonlStore({ dir });
    const leaf = rt.functionNode(async () => 1, { name: "shapes-leaf" });
    const session = new rt.Session({ name: "only", store });
    await session.run(() => rt.call(leaf));
    await rt.flush();
    expect(rt.registry.list().map((node) => node.name)).not.toContain("runtrace.shapes");
    expect((await store.listSessions()).map((s) => s.id)).toEqual([session.id]);
    expect(readdirSync(dir)).toEqual([`${session.id}.jsonl`]);
  });
});
