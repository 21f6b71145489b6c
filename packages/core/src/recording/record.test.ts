import { inspect } from "node:util";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { now } from "../internal/clock.js";
import { addChild, addEvent, LiveRecord, mergeAttributes, RecordClock, recordFields } from "./record.js";

describe("LiveRecord", () => {
  const clock = new RecordClock("s-1", Math.round(now() * 1000));
  const session = () => new LiveRecord(0, null, clock, "session", "session", now(), undefined);

  it("reads like a plain record: string ids, the parent's id, epoch-millisecond times", () => {
    const root = session();
    const start = now();
    const child = new LiveRecord(12, root, clock, "work", "tool", start, [1, "a"]);
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
    const a = new LiveRecord(1, root, clock, "a", "function", now(), undefined);
    const b = new LiveRecord(2, root, clock, "b", "function", now(), undefined);
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
    const child = new LiveRecord(1, root, clock, "work", "function", now(), []);
    addChild(root, child);
    const json = JSON.parse(JSON.stringify(root));
    expect(json).toMatchObject({ id: "0", parentId: null, node: "session", kind: "session" });
    expect(json.children[0]).toMatchObject({ id: "1", parentId: "0", node: "work", input: [] });
    expect(typeof json.children[0].start).toBe("number");
  });

  it("prints every field with console.log, ids and times included", () => {
    const root = session();
    const child = new LiveRecord(3, root, clock, "work", "function", now(), [1]);
    addChild(root, child);
    const shown = inspect(child);
    expect(shown).toContain("id: '3'");
    expect(shown).toContain("parentId: '0'");
    expect(shown).toMatch(/start: \d+\.?\d*/);
    expect(inspect(root)).toContain("[LiveRecord work #3]");
  });

  it("keeps its times to the microsecond near its clock's base, to the millisecond and second far from it", () => {
    const base = Math.round(now() * 1000);
    const t = base / 1000;
    const record = (start: number) =>
      new LiveRecord(1, null, new RecordClock("s-1", base), "w", "function", start, []);
    const near = record(t + 12.345);
    near.end = t + 250.001;
    expect([near.start, near.end]).toEqual([(base + 12_345) / 1000, (base + 250_001) / 1000]);
    // A call of an hour: its end to the millisecond.
    near.end = t + 3_600_000.4567;
    expect(Math.abs(near.end - (t + 3_600_000.4567))).toBeLessThanOrEqual(0.5);
    // A start an hour before its clock's base, and an end four days later.
    const before = record(t - 3_600_000.1234);
    expect(Math.abs(before.start - (t - 3_600_000.1234))).toBeLessThanOrEqual(0.5);
    before.end = t + 4 * 86_400_000 + 0.7;
    expect(Math.abs(before.end - (t + 4 * 86_400_000 + 0.7))).toBeLessThanOrEqual(500);
    // Moving the start keeps the end where it was.
    const moved = record(t + 1);
    moved.end = t + 5;
    moved.start = t + 2;
    expect([moved.start, moved.end]).toEqual([t + 2, t + 5]);
  });

  it("takes as little memory in a process older than half an hour, far from its clock too", () => {
    // Times counted from the process's start outgrew V8's small integers after 18 to 36 minutes,
    // and each record made after that held two heap numbers more (143 bytes instead of 112).
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const bytesPerRecord = (clockAfter: number, startAfter: number) => {
      const base = Math.round((now() + clockAfter) * 1000);
      const clock = new RecordClock("s-1", base);
      const records: LiveRecord[] = new Array(200_000);
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < records.length; i++) {
        const r = new LiveRecord(i, null, clock, "w", "function", base / 1000 + startAfter + i / 1000, []);
        r.end = r.start + 1.25;
        records[i] = r;
      }
      gc();
      return (process.memoryUsage().heapUsed - before) / records.length;
    };
    bytesPerRecord(0, 0); // warm
    const young = bytesPerRecord(0, 0);
    const old = [bytesPerRecord(40 * 60_000, 0), bytesPerRecord(0, 40 * 60_000)];
    // Two heap numbers more would be 32 bytes a record; what else the process allocates meanwhile
    // moves the figures by a few bytes.
    expect(old.map((bytes) => Math.abs(bytes - young) < 12)).toEqual([true, true]);
  });
});
