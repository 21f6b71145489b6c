// A directory that stops taking writes, simulated through the store's file-system seam. The same
// behaviour on a real full disk (/dev/full, a full tmpfs) and a real read-only mount is tested in
// test/disk-full.test.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";
import { exitOutages, outageLimits } from "./dir-writer.js";
import { fsCalls } from "./open-files.js";
import { readSessionFile } from "./read-file.js";

const real = { ...fsCalls };
const defaults = { ...outageLimits };
const root = mkdtempSync(join(tmpdir(), "runtrace-faults-"));
let warnings: string[] = [];
let dirs = 0;

beforeEach(() => {
  warnings = [];
  rt.configure({ logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
  outageLimits.firstRetryMs = 20;
  outageLimits.maxRetryMs = 50;
});
afterEach(async () => {
  Object.assign(fsCalls, real);
  Object.assign(outageLimits, defaults);
  // No outage outlives its test: every store tries its directory again, now that writes work.
  await rt.flush();
  rt.configure({ logger: { warn: console.warn, error: console.error } });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fresh(): string {
  return join(root, `d${++dirs}`);
}

function failure(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** Writes fail with `code` while `failing()` says so. */
function failWrites(code: string, failing: () => boolean): void {
  fsCalls.write = (fd, data) => {
    if (failing()) throw failure(code);
    return real.write(fd, data);
  };
}

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`gave up waiting: ${what}`);
}

async function endsOk(file: string): Promise<boolean> {
  if (!existsSync(file)) return false;
  try {
    return (await readSessionFile(file)).root.status === "ok";
  } catch {
    return false; // created, but its header is not in yet
  }
}

/** What a file holds: nothing when the disk took nothing (the file may exist, empty). */
function contents(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

const work = rt.functionNode(async (n: number) => `result ${n} `.repeat(4), { name: "work" });

describe("a directory that stops taking writes (ENOSPC)", () => {
  it("keeps the lines, writes them when space is back, and the session keeps its real end", async () => {
    let full = true;
    failWrites("ENOSPC", () => full);
    const dir = fresh();
    const store = rt.jsonlStore({ dir });
    const session = new rt.Session({ name: "full", store });
    const out = await session.run(async () => {
      for (let i = 0; i < 50; i++) await rt.call(work, i);
      await sleep(5);
      return "done";
    });
    expect(out).toBe("done");
    const file = store.fileOf(session.id);
    expect(contents(file)).toBe("");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      `cannot write session files in ${dir} (ENOSPC: no space left on the device)`,
    );
    expect(warnings[0]).toContain("kept in memory");

    full = false;
    await until(() => endsOk(file), "the session written after the disk has room again");
    const tree = await readSessionFile(file);
    expect(tree.toJSON()).toEqual(session.tree.toJSON());
    expect(tree.size).toBe(50);
    expect(tree.warnings).toEqual([]);
    // Nothing was lost: the one warning was all.
    expect(warnings).toHaveLength(1);

    // Recording did not stay off: the next session is on disk by the end of the turn it starts in.
    const next = new rt.Session({ name: "after", store });
    await next.run(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(existsSync(store.fileOf(next.id))).toBe(true);
      await rt.call(work, 1);
    });
    expect((await readSessionFile(store.fileOf(next.id))).size).toBe(1);
  });

  it("drops lines beyond its memory budget, counts them, says so once, and still writes the end", async () => {
    let full = true;
    failWrites("ENOSPC", () => full);
    outageLimits.heldBytes = 4096;
    const dir = fresh();
    const store = rt.jsonlStore({ dir });
    const session = new rt.Session({ name: "overflow", store });
    // A call that leaves work behind: an event and a call of its own, run after it has ended and
    // its lines were dropped.
    let leftBehind!: () => void;
    const leaves = rt.functionNode(
      async () => {
        leftBehind = rt.bind(() => {
          rt.event("late");
          void rt.call(work, -1);
        });
        return "left";
      },
      { name: "leaves" },
    );
    await session.run(async () => {
      for (let batch = 0; batch < 20; batch++) {
        for (let i = 0; i < 10; i++) await rt.call(work, batch * 10 + i);
        if (batch === 15) await rt.call(leaves);
        if (batch === 17) leftBehind();
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    expect(warnings).toHaveLength(1);
    full = false;
    await until(() => endsOk(store.fileOf(session.id)), "the session's end written");

    const tree = await readSessionFile(store.fileOf(session.id));
    expect(tree.root.status).toBe("ok");
    expect(tree.size).toBeGreaterThan(0);
    expect(tree.size).toBeLessThan(200);
    expect(tree.find("leaves")).toBeUndefined();
    const lost = readFileSync(store.fileOf(session.id), "utf8")
      .split("\n")
      .filter((line) => line.includes('"type":"lost"'))
      .map((line) => JSON.parse(line));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ type: "lost", reason: "ENOSPC" });
    // 200 calls of `work` and `leaves`: each is in the tree or counted as lost. The call `leaves`
    // made after it ended went with it (a call under a lost call is left out, not counted).
    expect(tree.size + lost[0].calls).toBe(201);
    expect(tree.warnings).toEqual([
      `${lost[0].lines} lines (${lost[0].calls} calls) were not written (ENOSPC): the writer could not write them and dropped them, so those calls are missing or unfinished`,
    ]);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain(`session files in ${dir} are written again after`);
    expect(warnings[1]).toContain(
      `${lost[0].lines} lines (${lost[0].calls} calls) of 1 session: ${session.id}`,
    );
  });

  it("finishes a line the disk took only part of, so no two lines run together", async () => {
    let state: "ok" | "partial" | "full" = "ok";
    fsCalls.write = (fd, data) => {
      if (state === "full") throw failure("ENOSPC");
      if (state === "partial") {
        state = "full";
        const bytes = Buffer.from(data);
        return writeSync(fd, bytes, 0, Math.floor(bytes.length / 2));
      }
      return real.write(fd, data);
    };
    const store = rt.jsonlStore({ dir: fresh() });
    const session = new rt.Session({ name: "partial", store });
    await session.run(async () => {
      await rt.call(work, 0);
      await new Promise((resolve) => setImmediate(resolve));
      state = "partial";
      for (let i = 1; i < 20; i++) await rt.call(work, i);
    });
    expect(warnings).toHaveLength(1);
    state = "ok";
    await until(() => endsOk(store.fileOf(session.id)), "the rest of the lines written");
    const tree = await readSessionFile(store.fileOf(session.id));
    expect(tree.warnings).toEqual([]);
    expect(tree.toJSON()).toEqual(session.tree.toJSON());
  });

  it("writes a session's last line once, when the disk took part of it and no memory is left", async () => {
    let state: "ok" | "cut" | "full" = "ok";
    fsCalls.write = (fd, data) => {
      if (state === "full") throw failure("ENOSPC");
      if (state === "cut" && data.includes('"session-end"')) {
        state = "full";
        const bytes = Buffer.from(data);
        return writeSync(fd, bytes, 0, bytes.length - 10);
      }
      return real.write(fd, data);
    };
    outageLimits.heldBytes = 0;
    const store = rt.jsonlStore({ dir: fresh() });
    const session = new rt.Session({ name: "cut-end", store });
    await session.run(async () => {
      await rt.call(work, 1);
      await new Promise((resolve) => setImmediate(resolve));
      state = "cut";
    });
    expect(warnings).toHaveLength(1);
    state = "ok";
    const file = store.fileOf(session.id);
    await until(() => endsOk(file), "the rest of the last line written");
    expect(contents(file).match(/"session-end"/g)).toHaveLength(1);
    expect((await readSessionFile(file)).warnings).toEqual([]);
  });

  it("drops a session that starts when the budget is spent, and names it", async () => {
    let full = true;
    failWrites("ENOSPC", () => full);
    // Room for one header of ~700 bytes, not two.
    outageLimits.heldBytes = 1000;
    const store = rt.jsonlStore({ dir: fresh() });
    const first = new rt.Session({ name: "first", store, attributes: { pad: "x".repeat(600) } });
    await first.run(() => rt.call(work, 1));
    const second = new rt.Session({ name: "second", store, attributes: { pad: "y".repeat(600) } });
    expect(await second.run(() => rt.call(work, 2))).toBe("result 2 ".repeat(4));
    full = false;
    await until(() => endsOk(store.fileOf(first.id)), "the first session written");
    expect(contents(store.fileOf(second.id))).toBe("");
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain(`${second.id}: `);
    expect(warnings[1]).toContain("the whole session (no file)");
  });
});

describe("the last try at exit", () => {
  it("writes what it can and names only the sessions whose lines are lost", async () => {
    const paths = new Map<number, string>();
    fsCalls.open = (file) => {
      const fd = real.open(file);
      paths.set(fd, file);
      return fd;
    };
    let failing: (file: string) => boolean = () => true;
    fsCalls.write = (fd, data) => {
      if (failing(paths.get(fd) ?? "")) throw failure("ENOSPC");
      return real.write(fd, data);
    };
    const store = rt.jsonlStore({ dir: fresh() });
    const kept = new rt.Session({ name: "kept", store });
    await kept.run(() => rt.call(work, 1));
    const lost = new rt.Session({ name: "lost", store });
    await lost.run(() => rt.call(work, 2));
    expect(warnings).toHaveLength(1);
    // Only the second session's file still fails when the process exits.
    failing = (file) => file === store.fileOf(lost.id);
    exitOutages();
    expect((await readSessionFile(store.fileOf(kept.id))).root.status).toBe("ok");
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain("still cannot be written (ENOSPC); lost: 3 lines (1 call) of 1 session: ");
    expect(warnings[1]).toContain(lost.id);
    expect(warnings[1]).not.toContain(kept.id);
  });
});

describe("a directory that can never be written", () => {
  for (const [code, what, where] of [
    ["EACCES", "permission denied", "open"],
    ["EROFS", "the file system is read-only", "mkdir"],
  ] as const) {
    it(`reports ${code} once, never throws, and stops trying`, async () => {
      let tries = 0;
      fsCalls[where] = () => {
        tries++;
        throw failure(code);
      };
      const dir = fresh();
      const store = rt.jsonlStore({ dir });
      for (let i = 0; i < 3; i++) {
        const session = new rt.Session({ store });
        expect(await session.run(() => rt.call(work, i))).toBe(`result ${i} `.repeat(4));
        expect(session.tree.find("work")?.output).toBe(`result ${i} `.repeat(4));
      }
      await rt.flush();
      await sleep(100);
      expect(tries).toBe(1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`cannot write session files in ${dir} (${code}: ${what})`);
      expect(warnings[0]).toContain("RUNTRACE_DIR");
    });
  }
});
