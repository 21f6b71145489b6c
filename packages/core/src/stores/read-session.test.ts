import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";

const root = mkdtempSync(join(tmpdir(), "runtrace-read-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => rt.configure({ store: null }));

const node = rt.functionNode(async (n: number) => n + 1, { name: "inc" });

async function record(name: string): Promise<string> {
  const session = new rt.Session({ name });
  await session.run(() => rt.call(node, 1));
  return session.id;
}

describe("rt.readSession(id)", () => {
  it("looks where the configured JSONL store writes", async () => {
    const dir = join(root, "traces");
    rt.configure({ store: rt.jsonlStore({ dir }) });
    const id = await record("configured");
    const tree = await rt.readSession(id);
    expect(tree.root.node).toBe("configured");
    expect(tree.find("inc")?.output).toBe(2);
  });

  it("looks in the directory given, whatever store is configured", async () => {
    const dir = join(root, "given");
    rt.configure({ store: rt.jsonlStore({ dir }) });
    const id = await record("given");
    rt.configure({ store: rt.jsonlStore({ dir: join(root, "elsewhere") }) });
    expect((await rt.readSession(id, { dir })).root.node).toBe("given");
    await expect(rt.readSession(id)).rejects.toThrow(join(root, "elsewhere", `${id}.jsonl`));
  });

  it("asks a configured memory store, and says what to do when it has no such session", async () => {
    const store = rt.memoryStore();
    rt.configure({ store });
    const id = await record("in memory");
    expect((await rt.readSession(id)).root.node).toBe("in memory");
    const missing = rt.readSession("20990101-000000-0000000000");
    await expect(missing).rejects.toBeInstanceOf(rt.ReadError);
    await expect(missing).rejects.toThrow(
      /asked the configured store \(memory\), which has no such session: .* pass its path, or its directory: rt\.readSession\("20990101-000000-0000000000", \{ dir: "\.runtrace" \}\)/,
    );
  });

  it("looks in RUNTRACE_DIR when nothing is stored", async () => {
    const dir = join(root, "env");
    rt.configure({ store: rt.jsonlStore({ dir }) });
    const id = await record("env");
    rt.configure({ store: null });
    const before = process.env.RUNTRACE_DIR;
    process.env.RUNTRACE_DIR = dir;
    try {
      expect((await rt.readSession(id)).root.node).toBe("env");
    } finally {
      if (before === undefined) delete process.env.RUNTRACE_DIR;
      else process.env.RUNTRACE_DIR = before;
    }
  });
});
