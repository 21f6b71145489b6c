import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { storeBehaviour } from "../../../../test/helpers/store-behaviour.js";
import * as rt from "../index.js";

const dir = mkdtempSync(join(tmpdir(), "runtrace-stores-"));

storeBehaviour("memory", () => rt.memoryStore());
storeBehaviour("jsonl", () => rt.jsonlStore({ dir }));

describe("jsonl store", () => {
  it("writes one file per session, named by its id", async () => {
    const own = mkdtempSync(join(tmpdir(), "runtrace-files-"));
    const store = rt.jsonlStore({ dir: own });
    const node = rt.functionNode(() => 1, { name: "one" });
    const a = new rt.Session({ store });
    const b = new rt.Session({ store });
    await a.run(() => rt.call(node));
    await b.run(() => rt.call(node));
    expect(readdirSync(own).sort()).toEqual([`${a.id}.jsonl`, `${b.id}.jsonl`].sort());
    expect(store.fileOf(a.id)).toBe(join(own, `${a.id}.jsonl`));
  });

  it("lists a file that is not a session with its problem, beside the sessions that read", async () => {
    const own = mkdtempSync(join(tmpdir(), "runtrace-list-"));
    const store = rt.jsonlStore({ dir: own });
    const session = new rt.Session({ name: "fine", store });
    await session.run(() => 1);
    writeFileSync(join(own, "notes.jsonl"), '{"hello":"world"}\n');
    const listed = await store.listSessions();
    expect(listed.map((s) => s.id).sort()).toEqual(["notes", session.id].sort());
    expect(listed.find((s) => s.id === "notes")).toMatchObject({
      name: "notes",
      status: "error",
      calls: 0,
      file: join(own, "notes.jsonl"),
      problem: expect.stringContaining("is not a runtrace session file"),
    });
    expect(listed.find((s) => s.id === session.id)).toMatchObject({ name: "fine", status: "ok" });
  });

  it("refuses ids that would leave the directory", () => {
    const store = rt.jsonlStore({ dir });
    expect(() => store.fileOf("../etc/passwd")).toThrow(/not a session id/);
  });

  it("reports an unwritable directory once through the logger and never throws into user code", async () => {
    const warnings: string[] = [];
    rt.configure({ logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
    try {
      // A directory whose parent is a file: every write fails with ENOTDIR (root ignores modes).
      const blocker = join(mkdtempSync(join(tmpdir(), "runtrace-blocked-")), "file");
      writeFileSync(blocker, "not a directory");
      const bad = join(blocker, "sessions");
      const store = rt.jsonlStore({ dir: bad });
      const node = rt.functionNode((n: number) => n + 1, { name: "inc" });
      for (let i = 0; i < 3; i++) {
        const session = new rt.Session({ store });
        expect(await session.run(() => rt.call(node, i))).toBe(i + 1);
        expect(session.tree.find("inc")?.output).toBe(i + 1);
      }
      await rt.flush();
      const mine = warnings.filter((w) => w.includes(bad));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toContain(`cannot write session files in ${bad} (ENOTDIR: `);
      expect(mine[0]).toContain("RUNTRACE_DIR");
    } finally {
      rt.configure({ logger: { warn: console.warn, error: console.error } });
    }
  });
});
