import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import * as rt from "../index.js";

const jitter = () => sleep(Math.random() * 8);

// Each call checks, after awaiting, that the context it sees is still its own (p-limit's way of
// testing async context), and records who it is so the tree can be checked against it.
const leaf = rt.functionNode(
  async (session: number, path: string) => {
    await jitter();
    const info = rt.current()!;
    expect(info.node).toBe("leaf");
    expect(rt.context.get("session")).toBe(session);
    return `${session}/${path}`;
  },
  { name: "leaf" },
);

const middle = rt.functionNode(
  async (session: number, path: string) => {
    await jitter();
    const me = rt.current()!.id;
    const results = await Promise.all([0, 1, 2].map((i) => rt.call(leaf, session, `${path}.${i}`)));
    expect(rt.current()!.id).toBe(me);
    return results;
  },
  { name: "middle" },
);

const top = rt.functionNode(
  async (session: number) => {
    await jitter();
    const nested = await Promise.all([0, 1].map((i) => rt.call(middle, session, `m${i}`)));
    const direct = await rt.call(leaf, session, "direct");
    return [...nested.flat(), direct];
  },
  { name: "top" },
);

describe("1,000 concurrent sessions", () => {
  it("puts every call in its own session under its true parent, and nothing else", async () => {
    rt.configure({ store: null });
    const sessions = Array.from({ length: 1000 }, (_, i) => new rt.Session({ name: `s${i}` }));
    const outputs = await Promise.all(
      sessions.map((session, i) =>
        session.run(async () => {
          rt.context.set("session", i);
          await jitter();
          return rt.call(top, i);
        }),
      ),
    );
    sessions.forEach((session, i) => {
      expect(outputs[i]).toEqual([
        `${i}/m0.0`,
        `${i}/m0.1`,
        `${i}/m0.2`,
        `${i}/m1.0`,
        `${i}/m1.1`,
        `${i}/m1.2`,
        `${i}/direct`,
      ]);
      const tree = session.tree;
      expect(tree.size).toBe(1 + 2 + 6 + 1);
      const [topRecord, ...others] = tree.root.children;
      expect(others).toHaveLength(0);
      expect(topRecord!.input).toEqual([i]);
      expect(topRecord!.children.map((r) => r.node)).toEqual(["middle", "middle", "leaf"]);
      topRecord!.children.slice(0, 2).forEach((m, j) => {
        expect(m.input).toEqual([i, `m${j}`]);
        expect(m.children.map((l) => l.input)).toEqual([0, 1, 2].map((k) => [i, `m${j}.${k}`]));
      });
      for (const record of tree) {
        expect(record.sessionId).toBe(session.id);
        expect(record.status).toBe("ok");
        const parent = tree.get(record.parentId!)!;
        expect(parent.children).toContain(record);
      }
    });
    expect(new Set(sessions.map((s) => s.id)).size).toBe(1000);
  });

  it("keeps context values per session", async () => {
    rt.configure({ store: null });
    const seen = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        rt.session(`ctx${i}`, async () => {
          rt.context.set("user", i);
          await jitter();
          return rt.call(
            rt.functionNode(
              async () => {
                await jitter();
                return rt.context.get("user");
              },
              { name: "who" },
            ),
          );
        }),
      ),
    );
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("rt.bind carries the call into callbacks that run later elsewhere", async () => {
    rt.configure({ store: null });
    const child = rt.functionNode(() => "child", { name: "child" });
    const { EventEmitter } = await import("node:events");
    const emitter = new EventEmitter();
    const session = new rt.Session();
    await session.run(async () => {
      await rt.call(
        rt.functionNode(
          async () => {
            emitter.once(
              "go",
              rt.bind(() => void rt.call(child)),
            );
          },
          { name: "registers" },
        ),
      );
    });
    const done = new rt.Session();
    await done.run(async () => {
      emitter.emit("go");
      await sleep(5);
    });
    expect(session.tree.find("registers")!.children.map((r) => r.node)).toEqual(["child"]);
    expect(done.tree.size).toBe(0);
  });
});
