import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  it("still flushes the lines of a running session whose JSONL store the application dropped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-registry-"));
    const one = rt.functionNode(async () => 1, { name: "one" });
    rt.configure({ store: rt.jsonlStore({ dir }) });
    const session = new rt.Session({ name: "kept" });
    const lines = await session.run(async () => {
      // The session has opened its file; the application now drops the store.
      rt.configure({ store: null });
      await collect();
      await rt.call(one);
      // No event-loop turn has passed since the call: only rt.flush() can have written it.
      await rt.flush();
      return readFileSync(join(dir, `${session.id}.jsonl`), "utf8");
    });
    expect(lines).toContain('"node":"one"');
    rmSync(dir, { recursive: true, force: true });
  });
});
