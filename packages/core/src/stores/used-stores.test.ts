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

  it("lets a dropped memory store go without waiting for the program to yield", async () => {
    const collected: string[] = [];
    const registry = new FinalizationRegistry<string>((name) => collected.push(name));
    const node = rt.functionNode(async () => 1, { name: "n" });
    // A loop that never yields to the event loop (only resolved promises are awaited): a store it
    // drops must be collectable at once, with its sessions, not when the loop ends.
    const sessionIn = async (i: number) => {
      const store = rt.memoryStore();
      registry.register(store, `store ${i}`);
      await new rt.Session({ name: "loop", store }).run(() => rt.call(node));
    };
    for (let i = 0; i < 4; i++) await sessionIn(i);
    gc();
    // Only the collection above ran inside the loop's job; yield so that the registry can report.
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The last one may still sit in a register; the ones before it must be gone.
    expect(collected).toEqual(expect.arrayContaining(["store 0", "store 1", "store 2"]));
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
