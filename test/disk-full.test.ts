// A real full disk and a real read-only file system. /dev/full (Linux) fails every write with
// ENOSPC; a small tmpfs is filled for real, or remounted read-only, where this process may mount
// (root, as in CI), and skipped with the reason otherwise.
import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import * as rt from "@runtrace/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runScript } from "./helpers/run-script.js";

const hasDevFull = process.platform === "linux" && existsSync("/dev/full");
let warnings: string[] = [];

beforeEach(() => {
  warnings = [];
  rt.configure({ logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
});
afterEach(() => rt.configure({ logger: { warn: console.warn, error: console.error } }));

const work = rt.functionNode(async (n: number) => n * 2, { name: "work" });

async function readBack(store: rt.JsonlStore, id: string): Promise<rt.CallTree | undefined> {
  try {
    return await store.readSession(id);
  } catch {
    return undefined; // not there yet, or created without its header yet
  }
}

/** Mounts a tmpfs of `size` at a new directory; returns it, or why it cannot. */
function mountTmpfs(size: string): { dir: string } | { why: string } {
  if (process.platform !== "linux") return { why: "tmpfs is Linux only" };
  if (process.getuid?.() !== 0) return { why: "mounting a tmpfs needs root (CI runs as root)" };
  const dir = mkdtempSync(join(tmpdir(), "runtrace-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = String((error as { stderr?: unknown }).stderr ?? error).trim();
    return { why: `mount was refused (${stderr})` };
  }
}

function unmount(dir: string): void {
  execFileSync("umount", [dir], { stdio: "pipe" });
  rmSync(dir, { recursive: true, force: true });
}

describe("a real full disk", () => {
  it.skipIf(!hasDevFull)(
    "keeps a session's lines through ENOSPC and writes them, with its real end, once writes work again",
    async () => {
      const store = rt.jsonlStore({ dir: mkdtempSync(join(tmpdir(), "runtrace-devfull-")) });
      const session = new rt.Session({ name: "devfull", store });
      const file = store.fileOf(session.id);
      symlinkSync("/dev/full", file);
      const out = await session.run(async () => {
        for (let i = 0; i < 20; i++) await rt.call(work, i);
        return "done";
      });
      expect(out).toBe("done");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`(ENOSPC: no space left on the device)`);
      // Space is back: the next try (after the store's own back-off) creates a real file.
      unlinkSync(file);
      let tree: rt.CallTree | undefined;
      for (let i = 0; i < 1000 && tree?.root.status !== "ok"; i++) {
        await sleep(10);
        tree = await readBack(store, session.id);
      }
      expect(tree?.root.status).toBe("ok");
      expect(tree?.findAll("work").map((r) => r.output)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
      expect(tree?.warnings).toEqual([]);
      expect(warnings).toHaveLength(1);
    },
  );

  it.skipIf(!hasDevFull)("says at exit what it could not write, and for which session", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-exit-full-"));
    const { code, out, err } = await runScript(
      fileURLToPath(new URL("./fixtures/full-at-exit.mjs", import.meta.url)),
      { env: { RUNTRACE_DIR: dir } },
    );
    expect(code).toBe(0);
    const id = out.trim();
    const lines = err.split("\n").filter((line) => line.startsWith("[runtrace]"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`cannot write session files in ${dir} (ENOSPC`);
    expect(lines[1]).toContain(
      `the process exits while session files in ${dir} still cannot be written (ENOSPC); lost: 12 lines (10 calls) of 1 session: ${id}`,
    );
  });

  it("rides out a full tmpfs and writes the session once space is freed", async (ctx) => {
    const mount = mountTmpfs("256k");
    if ("why" in mount) return ctx.skip(`a small tmpfs cannot be mounted here: ${mount.why}`);
    try {
      const dir = join(mount.dir, "traces");
      mkdirSync(dir);
      const filler = join(mount.dir, "filler");
      const fd = openSync(filler, "w");
      let full = false;
      try {
        for (;;) writeSync(fd, Buffer.alloc(4096, 1));
      } catch (error) {
        full = (error as { code?: string }).code === "ENOSPC";
      } finally {
        closeSync(fd);
      }
      expect(full).toBe(true);
      const store = rt.jsonlStore({ dir });
      const session = new rt.Session({ name: "tmpfs-full", store });
      await session.run(async () => {
        for (let i = 0; i < 30; i++) await rt.call(work, i);
      });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`cannot write session files in ${dir} (ENOSPC`);
      unlinkSync(filler);
      await rt.flush(); // tries the directory again at once
      const tree = await store.readSession(session.id);
      expect(tree.root.status).toBe("ok");
      expect(tree.size).toBe(30);
      expect(tree.warnings).toEqual([]);
      expect(warnings).toHaveLength(1);
    } finally {
      unmount(mount.dir);
    }
  });
});

describe("a real read-only file system", () => {
  it("is reported once (EROFS) and the program goes on", async (ctx) => {
    const mount = mountTmpfs("64k");
    if ("why" in mount) return ctx.skip(`a tmpfs cannot be mounted here: ${mount.why}`);
    try {
      const dir = join(mount.dir, "traces");
      mkdirSync(dir);
      execFileSync("mount", ["-o", "remount,ro", mount.dir], { stdio: "pipe" });
      const store = rt.jsonlStore({ dir });
      for (let i = 0; i < 3; i++) {
        const session = new rt.Session({ name: "read-only", store });
        expect(await session.run(() => rt.call(work, i))).toBe(i * 2);
      }
      await rt.flush();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(
        `cannot write session files in ${dir} (EROFS: the file system is read-only)`,
      );
    } finally {
      unmount(mount.dir);
    }
  });
});
