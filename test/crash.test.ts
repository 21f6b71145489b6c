import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as rt from "@runtrace/core";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/crash.mjs", import.meta.url));
const requestsFixture = fileURLToPath(new URL("./fixtures/requests-crash.mjs", import.meta.url));

async function runDoomedChild(dir: string): Promise<string> {
  const child = spawn(process.execPath, [fixture], {
    env: { ...process.env, RUNTRACE_DIR: dir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on("exit", (_code, sig) => resolve(sig)),
  );
  expect(signal).toBe("SIGKILL");
  return out.trim();
}

describe("a process killed while it records a session per request", () => {
  it("leaves every session it had written readable by id, those in segment files included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-requests-"));
    const child = spawn(process.execPath, [requestsFixture], {
      env: { ...process.env, RUNTRACE_DIR: dir },
      stdio: ["ignore", "pipe", "inherit"],
    });
    // Killed at some point after its 300th session: whatever it was doing then.
    const stopAt = 300 + Math.floor(Math.random() * 300);
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.split("\n").length > stopAt) child.kill("SIGKILL");
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, sig) => resolve(sig)),
    );
    expect(signal).toBe("SIGKILL");
    const written = out.split("\n").filter((line) => /^\d{8}-\d{6}-[0-9a-f]{10}$/.test(line));
    expect(written.length).toBeGreaterThanOrEqual(300);

    const files = readdirSync(dir);
    expect(files.filter((name) => name.endsWith(".jsonl"))).toHaveLength(64);
    expect(files.some((name) => name.endsWith(".segment"))).toBe(true);
    const listed = new Map((await rt.jsonlStore({ dir }).listSessions()).map((s) => [s.id, s]));
    for (const id of written) {
      expect(listed.get(id)).toMatchObject({ status: "ok", calls: 3, errors: 0 });
    }
    for (const id of [written[0]!, written[100]!, written.at(-1)!]) {
      const tree = await rt.readSession(id, { dir });
      expect(tree.root.status).toBe("ok");
      expect(tree.findAll("lookup").every((call) => call.status === "ok")).toBe(true);
      expect(tree.warnings).toEqual([]);
    }
  });
});

describe("a process killed mid-session", () => {
  it("leaves a file that readSession loads: finished calls complete, unfinished ones running", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-crash-"));
    const id = await runDoomedChild(dir);
    expect(id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{10}$/);

    const tree = await rt.readSession(id, { dir });
    expect(tree.root.node).toBe("doomed");
    expect(tree.root.status).toBe("interrupted");
    const outer = tree.find("outer")!;
    expect(outer.status).toBe("running");
    expect(outer.children.map((r) => r.node)).toEqual(["quick", "quick", "quick", "quick", "quick", "stuck"]);
    const quick = tree.findAll("quick");
    expect(quick.map((r) => r.output)).toEqual([0, 2, 4, 6, 8]);
    expect(quick.every((r) => r.status === "ok" && r.end! >= r.start)).toBe(true);
    expect(tree.find("stuck")?.status).toBe("running");
    expect(tree.warnings).toEqual([]);
  });

  it("reads a file whose last line was cut off mid-write", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-cut-"));
    const id = await runDoomedChild(dir);
    const file = join(dir, `${id}.jsonl`);
    const whole = readFileSync(file, "utf8");
    appendFileSync(file, '{"type":"end","id":"2","status":"ok","en');
    const tree = await rt.readSession(file);
    expect(tree.size).toBe(7);
    expect(tree.warnings).toHaveLength(1);
    expect(tree.warnings[0]).toMatch(/last line was cut off/);
    expect(whole.endsWith("\n")).toBe(true);
  });

  it("reads a file killed before its first write as an empty interrupted session", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-empty-"));
    const file = join(dir, "20261128-101500-0e0e0e0e0e.jsonl");
    writeFileSync(file, "");
    const tree = await rt.readSession("20261128-101500-0e0e0e0e0e", { dir });
    expect(tree.root).toMatchObject({
      node: "20261128-101500-0e0e0e0e0e",
      status: "interrupted",
      kind: "session",
    });
    expect(tree.root.start).toBe(statSync(file).mtimeMs);
    expect(tree.size).toBe(0);
    expect(tree.warnings).toEqual([expect.stringMatching(/^the file is empty/)]);
    expect(await rt.jsonlStore({ dir }).listSessions()).toEqual([
      expect.objectContaining({ id: "20261128-101500-0e0e0e0e0e", status: "interrupted", calls: 0 }),
    ]);
  });

  it("rejects a file that is not a runtrace session with a clear error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-notours-"));
    const file = join(dir, "notes.jsonl");
    appendFileSync(file, '{"hello":"world"}\n');
    await expect(rt.readSession(file)).rejects.toThrow(
      /is not a runtrace session file: it has no session header line/,
    );
    await expect(rt.readSession("20990101-000000-0000000000", { dir })).rejects.toThrow(/no such file/);
  });
});
