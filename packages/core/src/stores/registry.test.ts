import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import * as rt from "../index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function collect(): Promise<void> {
  // WeakRefs are cleared between jobs: let a turn pass around each collection.
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

describe("the stores runtrace flushes", () => {
  it("does not keep a memory store the application replaced, nor its sessions", async () => {
    const dropped = await (async () => {
      const store = rt.memoryStore();
      rt.configure({ store });
      await rt.session("big", async () => {
        for (let i = 0; i < 100; i++) await rt.call(rt.functionNode(async () => i, { name: "n" }));
      });
      return new WeakRef(store);
    })();
    rt.configure({ store: rt.memoryStore() });
    await collect();
    expect(dropped.deref()).toBeUndefined();
    await rt.flush();
    rt.configure({ store: null });
  });

  it("still flushes a JSONL store the application no longer holds", async () => {
    const { mkdtempSync, readFileSync, readdirSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "runtrace-registry-"));
    rt.configure({ store: rt.jsonlStore({ dir }) });
    await rt.session("kept", () => rt.call(rt.functionNode(async () => 1, { name: "one" })));
    rt.configure({ store: null });
    await collect();
    await rt.flush();
    const [file] = readdirSync(dir);
    expect(readFileSync(join(dir, file!), "utf8")).toContain('"session-end"');
    rmSync(dir, { recursive: true, force: true });
  });
});
