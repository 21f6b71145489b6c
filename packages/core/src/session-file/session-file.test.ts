import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as rt from "../index.js";

const dir = mkdtempSync(join(tmpdir(), "runtrace-session-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A pid that is not running here: the largest pid Linux hands out is below 2^22.
const DEAD_PID = 2 ** 22 + 17;
const header = (pid: number, host = hostname()) =>
  JSON.stringify({ type: "session", v: 1, id: "s1", name: "job", start: 1000, pid, host });
const call = (id: string, status: string) =>
  JSON.stringify({
    type: "call",
    id,
    parent: "0",
    node: `step${id}`,
    kind: "tool",
    start: 1001,
    status,
    end: 1002,
  });

describe("session ids and files", () => {
  it("makes ids that sort by time and do not repeat, across many sessions", async () => {
    const { newSessionId } = await import("./ids.js");
    const date = new Date(Date.UTC(2026, 10, 28, 12, 3, 4));
    const ids = Array.from({ length: 5000 }, () => newSessionId(date));
    expect(new Set(ids).size).toBe(5000);
    for (const id of ids) expect(id).toMatch(/^20261128-120304-[0-9a-f]{10}$/);
    expect(newSessionId(new Date(Date.UTC(2026, 10, 28, 12, 3, 5))) > ids[0]!).toBe(true);
  });

  it("accepts ids of letters, digits, '.', '_', '-' only, and says why another is not one", () => {
    expect(rt.isSessionId("20261122-173741-a1b2c3d4e5")).toBe(true);
    expect(rt.isSessionId("../etc/passwd")).toBe(false);
    expect(rt.isSessionId(".hidden")).toBe(false);
    expect(rt.isSessionId("a".repeat(201))).toBe(false);
    expect(rt.notASessionId("a/b")).toMatch(/^"a\/b" is not a session id: ids are letters, digits/);
    expect(() => rt.sessionFileOf(dir, "a/b")).toThrow(rt.ReadError);
    expect(rt.sessionFileOf(dir, "s1")).toBe(join(dir, "s1.jsonl"));
  });

  it("tells a file path from an id as the CLI and rt.readSession do", () => {
    expect(rt.isSessionPath("s1")).toBe(false);
    expect(rt.isSessionPath("s1.jsonl")).toBe(true);
    expect(rt.isSessionPath("traces/s1")).toBe(true);
  });

  it("lists a directory newest first, with files it cannot open by id listed with their problem", async () => {
    const listed = join(dir, "listed");
    mkdirSync(listed);
    writeFileSync(join(listed, "old.jsonl"), `${header(DEAD_PID).replace('"start":1000', '"start":5')}\n`);
    writeFileSync(
      join(listed, "new.jsonl"),
      `${header(DEAD_PID)}\n${call("1", "error")}\n${call("2", "ok")}\n`,
    );
    writeFileSync(join(listed, "bad name.jsonl"), `${header(DEAD_PID)}\n`);
    writeFileSync(join(listed, "notes.txt"), "not a session");
    const summaries = await rt.listSessionFiles(listed);
    expect(summaries.map((s) => [s.id, s.status, s.calls, s.errors])).toEqual([
      ["new", "interrupted", 2, 1],
      ["old", "interrupted", 0, 0],
      ["bad name", "error", 0, 0],
    ]);
    expect(summaries[2]!.problem).toMatch(/is not a session id .* rename it/);
    expect(await rt.listSessionFiles(join(dir, "missing"))).toEqual([]);
  });
});

describe("SessionReader at the end of a file", () => {
  it("uses a last line without its newline when it parses", () => {
    const reader = new rt.SessionReader("test");
    reader.push(header(DEAD_PID));
    reader.pushLast(call("1", "ok"));
    expect(reader.tree!.size).toBe(1);
    expect(reader.tree!.warnings).toEqual([]);
  });

  it("says a cut-off last line was skipped once its writer is gone, and marks the session interrupted", () => {
    const reader = new rt.SessionReader("test");
    reader.push(header(DEAD_PID));
    expect(reader.writerGone).toBe(true);
    reader.pushLast('{"type":"call","id":"1","par');
    expect(reader.tree!.warnings).toEqual([
      "the last line was cut off (28 bytes) and was skipped: the writer stopped mid-write",
    ]);
    expect(reader.interrupt()).toBe(true);
    expect(reader.tree!.root.status).toBe("interrupted");
    expect(reader.ended).toBe(true);
    expect(reader.interrupt()).toBe(false);
  });

  it("waits for a half-written last line while its writer still runs", () => {
    const reader = new rt.SessionReader("test");
    reader.push(header(process.pid));
    expect(reader.writerGone).toBe(false);
    reader.pushLast('{"type":"call","id":"1","par');
    expect(reader.tree!.warnings).toEqual([]);
    expect(reader.tree!.root.status).toBe("running");
  });

  it("reads a status word it does not know as error, and counts failures by rt.failed", () => {
    const reader = new rt.SessionReader("test");
    reader.push(header(process.pid));
    reader.push(call("1", "exploded"));
    reader.push(call("2", "timeout"));
    reader.push(call("3", "cancelled"));
    const tree = reader.tree!;
    expect([...tree].map((record) => record.status)).toEqual(["error", "timeout", "cancelled"]);
    expect(rt.summarizeSession(tree).errors).toBe(2);
    expect(rt.STATUSES.filter((status) => rt.failed(status))).toEqual(["error", "timeout", "interrupted"]);
  });
});

describe("SessionReader and fields of the wrong type (a file edited by hand, another writer)", () => {
  const lines = [
    '{"type":"session","v":1,"id":"s2","name":"edited","start":1000,"pid":1,"host":"h","attributes":"flat"}',
    '{"type":"call","id":"1","parent":"0","node":"a","kind":"tool","start":1001,"events":"oops","attributes":5,"attempts":"x","status":"ok","end":1002,"waitMs":"slow","traceId":7,"spanId":{"a":1}}',
    '{"type":"call","id":"2","parent":"1","node":"b","kind":7,"start":"later","status":"error","end":null,"error":"boom","events":[{"name":"kept","time":1001.5},{"name":3}]}',
    '{"type":"event","id":"1","name":5,"time":"t"}',
    '{"type":"attributes","id":"1","attributes":"str"}',
    '{"type":"session-end","status":"ok","end":1003,"attributes":[1,2]}',
  ];

  it("reads every call, leaves out each field that does not fit and says which, so exports still work", () => {
    const reader = new rt.SessionReader("edited.jsonl");
    for (const line of lines) reader.push(line);
    const tree = reader.tree!;
    expect(tree.warnings).toEqual([
      'line 1: the session header has fields the format does not allow, left out: attributes "flat"',
      'line 2: call 1 has fields the format does not allow, left out: attempts "x", waitMs "slow", events "oops", attributes 5, traceId 7, spanId {"a":1}',
      `line 3: call 2 has fields the format does not allow, left out: kind 7, start "later" (its parent's start instead), 1 of its events (no name or time), end null (its start instead)`,
      'line 4 could not be used: Error: an event needs a name and a time, got name 5, time "t"',
      'line 5 could not be used: Error: attributes must be an object, got "str"',
      "line 6: the session's end has fields the format does not allow, left out: attributes [1,2]",
    ]);
    const [a, b] = [tree.get("1")!, tree.get("2")!];
    expect(a).toMatchObject({ kind: "tool", status: "ok", attempts: 0, events: [], attributes: {} });
    expect(a.traceId).toBeUndefined();
    expect(a.waitMs).toBeUndefined();
    expect(b).toMatchObject({
      kind: "function",
      start: 1001,
      end: 1001,
      error: { name: "Error", message: "boom" },
    });
    expect(b.events).toEqual([{ name: "kept", time: 1001.5 }]);
    expect(tree.root.attributes).toEqual({});
    for (const record of tree)
      expect(() => rt.describeSpan(record, { input: true, output: true })).not.toThrow();
  });
});

describe("SessionReader and move lines", () => {
  const at = (id: string, parent: string, start: number) =>
    JSON.stringify({
      type: "call",
      id,
      parent,
      node: `n${id}`,
      kind: "span",
      start,
      status: "ok",
      end: start + 1,
    });
  const move = (id: string, parent: string) => JSON.stringify({ type: "move", id, parent });
  const shape = (record: rt.CallRecord): string =>
    record.children.length === 0 ? record.id : `${record.id}(${record.children.map(shape).join(" ")})`;

  it("moves a call, with the calls below it, under its new parent among its siblings by start", () => {
    const reader = new rt.SessionReader("test");
    const moves: string[] = [];
    reader.onMove = (record, from) => moves.push(`${record.id}:${from.id}->${record.parentId}`);
    reader.push(header(process.pid));
    for (const line of [at("3", "0", 1030), at("4", "3", 1031), at("1", "0", 1010), at("2", "1", 1040)]) {
      reader.push(line);
    }
    expect(shape(reader.tree!.root)).toBe("0(3(4) 1(2))");
    reader.push(move("3", "1"));
    expect(shape(reader.tree!.root)).toBe("0(1(3(4) 2))");
    expect(reader.tree!.get("3")!.parentId).toBe("1");
    expect(moves).toEqual(["3:0->1"]);
    expect(reader.tree!.warnings).toEqual([]);
  });

  it("skips a move it cannot make, saying why, and keeps the tree as it was", () => {
    const reader = new rt.SessionReader("test");
    reader.push(header(process.pid));
    reader.push(at("1", "0", 1010));
    reader.push(at("2", "1", 1020));
    reader.push(move("1", "2"));
    reader.push(move("9", "1"));
    reader.push(move("2", "9"));
    expect(shape(reader.tree!.root)).toBe("0(1(2))");
    expect(reader.tree!.warnings).toEqual([
      "line 4 could not be used: Error: call 1 cannot move under its own call 2",
      "line 5 could not be used: Error: no call with id 9",
      "line 6 could not be used: Error: no call with id 9",
    ]);
  });
});
