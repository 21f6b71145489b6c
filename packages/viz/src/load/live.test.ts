import { describe, expect, it } from "vitest";
import { type LiveChange, LiveSession } from "./live.js";

const line = (value: object) => JSON.stringify(value);
const header = line({ type: "session", v: 1, id: "s", name: "demo", start: 1000, pid: 1, host: "elsewhere" });

describe("LiveSession", () => {
  it("reports new calls with their depth, their parent again (its child count changed), and counts", () => {
    const live = new LiveSession("s", "/tmp/s.jsonl");
    expect(live.push([header]).session).toBe(true);
    const first = live.push([
      line({ type: "start", id: "1", parent: "0", node: "outer", kind: "agent", start: 1001 }),
      line({ type: "start", id: "2", parent: "1", node: "inner", kind: "tool", start: 1002 }),
    ]);
    const calls = (change: LiveChange) => change.calls.map((slot) => live.call(slot));
    expect(calls(first).map((c) => [c.id, c.depth, c.childCount, c.status])).toEqual([
      ["1", 1, 1, "running"],
      ["2", 2, 0, "running"],
    ]);
    expect(live.counts).toEqual({ running: 2, done: 0, failed: 0 });

    const second = live.push([
      line({ type: "end", id: "2", status: "error", end: 1003, error: { name: "E", message: "no" } }),
      line({ type: "start", id: "3", parent: "1", node: "inner", kind: "tool", start: 1004 }),
    ]);
    expect(calls(second).map((c) => [c.id, c.childCount, c.status])).toEqual([
      ["2", 0, "error"],
      ["1", 2, "running"],
      ["3", 0, "running"],
    ]);
    expect(live.counts).toEqual({ running: 2, done: 0, failed: 1 });
    // Each batch is a version; every call remembers the last one that changed it.
    expect(live.version).toBe(3);
    expect([0, 1, 2].map((slot) => [live.call(slot).id, live.changedAt(slot)])).toEqual([
      ["1", 3],
      ["2", 3],
      ["3", 3],
    ]);
    expect(live.summary()).toMatchObject({ calls: 3, errors: 1, status: "running" });

    const end = live.push([
      line({ type: "end", id: "3", status: "ok", end: 1005 }),
      line({ type: "end", id: "1", status: "ok", end: 1006 }),
      line({ type: "session-end", status: "ok", end: 1007 }),
    ]);
    expect(end.ended).toBe(true);
    expect(live.counts).toEqual({ running: 0, done: 2, failed: 1 });
    expect(live.response()).toMatchObject({ live: false, root: { status: "ok", childCount: 1, depth: 0 } });
    expect(
      live
        .calls()
        .all()
        .map((c) => c.id),
    ).toEqual(["1", "2", "3"]);
  });

  it("sends a moved call again with its new parent and depth, its calls, and both parents", () => {
    const live = new LiveSession("s", "/tmp/s.jsonl");
    live.push([header]);
    live.push([
      line({
        type: "call",
        id: "c",
        parent: "0",
        node: "child",
        kind: "span",
        start: 1003,
        status: "ok",
        end: 1004,
      }),
      line({
        type: "call",
        id: "g",
        parent: "c",
        node: "grandchild",
        kind: "span",
        start: 1003.5,
        status: "ok",
        end: 1004,
      }),
      line({ type: "start", id: "p", parent: "0", node: "parent", kind: "span", start: 1001 }),
    ]);
    const moved = live.push([line({ type: "move", id: "c", parent: "p" })]);
    const calls = moved.calls.map((slot) => live.call(slot));
    expect(calls.map((c) => [c.id, c.parentId, c.depth, c.childCount]).sort()).toEqual([
      ["c", "p", 2, 1],
      ["g", "c", 3, 0],
      ["p", "0", 1, 1],
    ]);
    // The root lost a child: the session is sent again too.
    expect(moved.session).toBe(true);
    expect(live.response()!.root.childCount).toBe(1);
    expect(
      live
        .calls()
        .all()
        .map((c) => [c.id, c.depth]),
    ).toEqual([
      ["p", 1],
      ["c", 2],
      ["g", 3],
    ]);
  });
});
