import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/deep-nesting.mjs", import.meta.url));

/** Runs the recursion in a child process: a crash there must not take the test runner with it. */
async function recurse(depth: number, mode = "sync-first") {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [fixture, String(depth), mode], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return { report: JSON.parse(stdout), stderr };
}

describe("calls nested deep", () => {
  it.each([900, 5_000, 10_000])(
    "%i levels of rt.call recursion resolve, every level recorded",
    async (depth) => {
      const { report, stderr } = await recurse(depth);
      expect(report).toMatchObject({ outcome: { ok: true, value: "bottom" }, calls: depth, running: 0 });
      expect(stderr).toBe("");
    },
    60_000,
  );

  it("past 10,000 levels the caller gets a CallDepthError, every record is closed, the process lives", async () => {
    const { report, stderr } = await recurse(10_050);
    expect(report.outcome).toMatchObject({ ok: false, name: "CallDepthError" });
    expect(report.outcome.message).toMatch(/nested 10001 calls deep; runtrace follows at most 10000/);
    expect(report).toMatchObject({ calls: 10_001, running: 0, failed: 10_001, deepest: "CallDepthError" });
    expect(stderr).toBe("");
  }, 60_000);

  it("the same when each level awaits before it recurses", async () => {
    const { report } = await recurse(10_000, "await-first");
    expect(report).toMatchObject({ outcome: { ok: true, value: "bottom" }, calls: 10_000, running: 0 });
  }, 60_000);
});
