import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { now } from "../internal/clock.js";
import { addChild, addEvent, LiveRecord, mergeAttributes, recordFields } from "./record.js";

describe("LiveRecord", () => {
  const session = () => new LiveRecord(0, null, "s-1", "session", "session", now(), undefined);

  it("reads like a plain record: string ids, the parent's id, epoch-millisecond times", () => {
    const root = session();
    const start = now();
    const child = new LiveRecord(12, root, "s-1", "work", "tool", start, [1, "a"]);
    expect(child.id).toBe("12");
    expect(child.parentId).toBe("0");
    expect(root.parentId).toBeNull();
    expect(Math.abs(child.start - start)).toBeLessThan(0.001);
    expect(child.end).toBeUndefined();
    child.end = start + 2.5;
    expect(child.end! - child.start).toBeCloseTo(2.5, 3);
    expect(recordFields(child)).toEqual({
      id: "12",
      parentId: "0",
      sessionId: "s-1",
      node: "work",
      kind: "tool",
      status: "running",
      start: child.start,
      end: child.end,
      input: [1, "a"],
      output: undefined,
      error: undefined,
      attempts: 0,
      events: [],
      attributes: {},
      traceId: undefined,
      spanId: undefined,
    });
  });

  it("gives each record its own events, attributes and children once written", () => {
    const root = session();
    const a = new LiveRecord(1, root, "s-1", "a", "function", now(), undefined);
    const b = new LiveRecord(2, root, "s-1", "b", "function", now(), undefined);
    addEvent(a, { name: "retry", time: now() });
    mergeAttributes(a, { model: "m" });
    addChild(root, a);
    a.traceId = "t";
    expect(a.events).toHaveLength(1);
    expect(a.attributes).toEqual({ model: "m" });
    expect(b.events).toEqual([]);
    expect(b.attributes).toEqual({});
    expect(b.traceId).toBeUndefined();
    expect(b.children).toEqual([]);
    expect(root.children).toEqual([a]);
  });

  it("serializes with every field, nested children included", () => {
    const root = session();
    const child = new LiveRecord(1, root, "s-1", "work", "function", now(), []);
    addChild(root, child);
    const json = JSON.parse(JSON.stringify(root));
    expect(json).toMatchObject({ id: "0", parentId: null, node: "session", kind: "session" });
    expect(json.children[0]).toMatchObject({ id: "1", parentId: "0", node: "work", input: [] });
    expect(typeof json.children[0].start).toBe("number");
  });

  it("prints every field with console.log, ids and times included", () => {
    const root = session();
    const child = new LiveRecord(3, root, "s-1", "work", "function", now(), [1]);
    addChild(root, child);
    const shown = inspect(child);
    expect(shown).toContain("id: '3'");
    expect(shown).toContain("parentId: '0'");
    expect(shown).toMatch(/start: \d+\.?\d*/);
    expect(inspect(root)).toContain("[LiveRecord work #3]");
  });
});
