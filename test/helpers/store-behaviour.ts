// The behaviour every store must have. Run by packages/core/src/stores/stores.test.ts over each
// implementation (kept with the tests: it is a vitest suite, not part of the package).
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import * as rt from "../../packages/core/src/index.js";

const step = rt.functionNode(
  async (n: number) => {
    await sleep(1);
    rt.event("progress", { n });
    rt.setAttributes({ "step.n": n });
    if (n === 3) throw new RangeError(`step ${n} is out of range`);
    return n * 10;
  },
  { name: "step", kind: "tool" },
);

const pipeline = rt.functionNode(
  async (count: number) => {
    const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) => rt.call(step, i)));
    return settled.map((s) => (s.status === "fulfilled" ? s.value : "failed"));
  },
  { name: "pipeline" },
);

export function storeBehaviour(name: string, makeStore: () => rt.Store): void {
  describe(`${name} store`, () => {
    it("gives back a recorded session as the same tree", async () => {
      const store = makeStore();
      const session = new rt.Session({ name: "suite", store, attributes: { suite: name } });
      await session.run(() => rt.call(pipeline, 5));
      await store.flush();
      const read = await store.readSession(session.id);
      expect(read.toJSON()).toEqual(session.tree.toJSON());
      expect(read.size).toBe(6);
      expect(read.root).toMatchObject({
        node: "suite",
        kind: "session",
        status: "ok",
        attributes: { suite: name },
      });
      const failed = read.find((r) => r.status === "error")!;
      expect(failed.error).toMatchObject({ name: "RangeError", message: "step 3 is out of range" });
      expect(failed.events).toEqual([expect.objectContaining({ name: "progress", data: { n: 3 } })]);
      expect(read.find("pipeline")?.output).toEqual([0, 10, 20, "failed", 40]);
    });

    it("lists sessions newest first with call and error counts", async () => {
      const store = makeStore();
      const first = new rt.Session({ name: "first", store });
      await first.run(() => rt.call(pipeline, 4));
      await sleep(2);
      const second = new rt.Session({ name: "second", store });
      await second.run(() => rt.call(pipeline, 1));
      await store.flush();
      const listed = await store.listSessions();
      const mine = listed.filter((s) => s.id === first.id || s.id === second.id);
      expect(mine.map((s) => s.name)).toEqual(["second", "first"]);
      expect(mine[1]).toMatchObject({ status: "ok", calls: 5, errors: 1 });
      expect(mine[0]).toMatchObject({ status: "ok", calls: 2, errors: 0 });
      expect(mine[1]!.end!).toBeGreaterThan(mine[1]!.start);
    });

    it("keeps concurrent sessions apart", async () => {
      const store = makeStore();
      const sessions = Array.from({ length: 20 }, (_, i) => new rt.Session({ name: `c${i}`, store }));
      await Promise.all(sessions.map((s, i) => s.run(() => rt.call(pipeline, 1 + (i % 3)))));
      await store.flush();
      for (const [i, session] of sessions.entries()) {
        const read = await store.readSession(session.id);
        expect(read.size).toBe(2 + (i % 3));
        expect([...read].every((r) => r.sessionId === session.id)).toBe(true);
      }
    });

    it("shows a session while it runs, unfinished calls as running", async () => {
      const store = makeStore();
      const session = new rt.Session({ name: "live", store });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const waiting = rt.functionNode(() => gate, { name: "waiting" });
      const done = session.run(async () => {
        await rt.call(step, 1);
        await rt.call(waiting);
      });
      await sleep(20);
      await store.flush();
      const during = await store.readSession(session.id);
      expect(during.find("step")?.status).toBe("ok");
      expect(during.find("waiting")?.status).toBe("running");
      expect(during.root.status).toBe("running");
      release();
      await done;
      await store.flush();
      const after = await store.readSession(session.id);
      expect(after.find("waiting")?.status).toBe("ok");
      expect(after.root.status).toBe("ok");
    });

    it("rejects an unknown session id with ReadError", async () => {
      const store = makeStore();
      await expect(store.readSession("20000101-000000-0000000000")).rejects.toBeInstanceOf(rt.ReadError);
    });
  });
}
