import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as rt from "@runtrace/core";
import { describe, expect, it } from "vitest";
import { FLUSH_CHARS, MEASURE_CALLS } from "../packages/core/src/session-file/session-writer.js";

const fixture = fileURLToPath(new URL("./fixtures/no-yield.mjs", import.meta.url));

/** Runs the fixture, kills it with SIGKILL as soon as it reports its calls finished. */
async function killAfterCalls(dir: string, calls: number): Promise<{ id: string; finished: number }> {
  const child = spawn(process.execPath, [fixture], {
    env: { ...process.env, RUNTRACE_DIR: dir, CALLS: String(calls) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const marker = new Promise<string>((resolve) => {
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) {
        child.kill("SIGKILL");
        resolve(out.trim());
      }
    });
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, sig) => resolve(sig)));
  const [line, signal] = await Promise.all([marker, exited]);
  expect(signal).toBe("SIGKILL");
  const [id, finished] = line.split(" ");
  return { id: id!, finished: Number(finished) };
}

describe("a process that never yields to the event loop", () => {
  it("has its finished calls on disk when it is killed, up to the documented bound", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-no-yield-"));
    const { id, finished } = await killAfterCalls(dir, 200_000);
    expect(finished).toBe(200_000);
    const file = join(dir, `${id}.jsonl`);
    expect(existsSync(file)).toBe(true);
    const tree = await rt.readSession(id, { dir });
    expect(tree.root.node).toBe("no-yield");
    expect(tree.root.status).toBe("interrupted");
    const done = tree.findAll((r) => r.node === "work" && r.status === "ok");
    // docs/format.md: fewer than FLUSH_CHARS characters of lines wait to be written (plus the line
    // being added), and fewer than MEASURE_CALLS finished calls not yet made into lines; a finished
    // call's line is at least as long as the shortest one here.
    let shortest = Number.POSITIVE_INFINITY;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line.startsWith('{"type":"call"')) shortest = Math.min(shortest, line.length + 1);
    }
    const bound = Math.ceil(FLUSH_CHARS / shortest) + 1 + MEASURE_CALLS;
    expect(done.length).toBeGreaterThanOrEqual(finished - bound);
    expect(done.every((r, i) => r.output === i)).toBe(true);
  });
});
