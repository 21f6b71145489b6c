import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as rt from "@runtrace/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { TraceSessions } from "./traces.js";

const dir = mkdtempSync(join(tmpdir(), "runtrace-ingest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_795_369_671_000;
let traces: TraceSessions | undefined;
afterEach(async () => {
  await traces?.close();
  traces = undefined;
});

function receiver(orphanWaitMs = 60_000): TraceSessions {
  traces = new TraceSessions({ dir, orphanWaitMs });
  return traces;
}

let traceCount = 0;
function newTrace(): string {
  return `${(++traceCount).toString(16).padStart(8, "0")}5b8efff798038103d269b633`;
}

/** A span of `trace`: `id` and `parent` are short names made into span ids. */
function span(
  trace: string,
  id: string,
  parent: string | undefined,
  start: number,
  extra: Partial<rt.SpanData> = {},
): rt.SpanData {
  const spanId = (name: string) => Buffer.from(name.padEnd(8, "_")).toString("hex").slice(0, 16);
  const out: rt.SpanData = {
    traceId: trace,
    spanId: spanId(id),
    name: id,
    kind: "internal",
    start: T0 + start,
    end: T0 + start + 10,
    attributes: {},
    events: [],
    status: { code: "unset" },
    resource: { "service.name": "shop" },
    ...extra,
  };
  if (parent !== undefined) out.parentSpanId = spanId(parent);
  return out;
}

async function stored(receiver: TraceSessions, trace: string): Promise<rt.CallTree> {
  await receiver.flush();
  return rt.readSession(receiver.sessionOf(trace)!.sessionId, { dir });
}

/** The tree as "name(child, child)" text, children in start order. */
function shape(record: rt.CallRecord): string {
  const children = [...record.children].sort((a, b) => a.start - b.start).map(shape);
  return children.length === 0 ? record.node : `${record.node}(${children.join(", ")})`;
}

describe("a trace stored as a session", () => {
  it("builds the exact tree from spans that come children first, over several batches", async () => {
    const r = receiver();
    const t = newTrace();
    r.add([span(t, "c1", "b1", 3), span(t, "c2", "b1", 4)]);
    const early = await stored(r, t);
    // Shown at once under the root while their parent has not come; the header names the service.
    expect(early.root).toMatchObject({ node: "shop", status: "running" });
    expect(shape(early.root)).toBe("shop(c1, c2)");
    // What the viewer shows of it meanwhile: how many spans came, how many wait for a parent.
    expect(early.root.attributes).toMatchObject({ "runtrace.otlp.received": 2, "runtrace.otlp.waiting": 2 });
    // Each parent, when it comes, takes its spans from the root.
    r.add([span(t, "b1", "a", 2), span(t, "b2", "a", 6)]);
    expect(shape((await stored(r, t)).root)).toBe("shop(b1(c1, c2), b2)");
    r.add([span(t, "a", "root", 1)]);
    const middle = await stored(r, t);
    expect(shape(middle.root)).toBe("shop(a(b1(c1, c2), b2))");
    expect(middle.root.attributes).toMatchObject({ "runtrace.otlp.received": 5, "runtrace.otlp.waiting": 1 });
    r.add([span(t, "root", undefined, 0, { status: { code: "error", message: "boom" } })]);
    const tree = await stored(r, t);
    expect(shape(tree.root)).toBe("root(root(a(b1(c1, c2), b2)))");
    expect(tree.root).toMatchObject({ node: "root", status: "error", start: T0, end: T0 + 10 });
    // Once it ended, the counts are gone.
    expect(tree.root.attributes).toEqual({ "service.name": "shop" });
    expect(tree.find("root")).toMatchObject({ kind: "span", parentId: "0", error: { message: "boom" } });
    expect(tree.warnings).toEqual([]);
    expect(r.sessionOf(t)!.ended).toBe(true);
    // Each span that was shown under the root before its parent came was moved once.
    const moves = readFileSync(join(dir, `${r.sessionOf(t)!.sessionId}.jsonl`), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((line) => line.type === "move");
    expect(moves).toHaveLength(5);
  });

  it("writes the header from the root when the first batch has it, and takes a retried batch once", async () => {
    const r = receiver();
    const t = newTrace();
    const batch = [span(t, "x", "root", 1), span(t, "root", undefined, 0)];
    r.add(batch);
    r.add(batch);
    const file = join(dir, `${r.sessionOf(t)!.sessionId}.jsonl`);
    await r.flush();
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ type: "session", name: "root", start: T0 });
    expect(lines.map((line) => line.type)).toEqual(["session", "call", "call", "session-end"]);
    expect(lines.at(-1).name).toBeUndefined();
  });

  it("puts a span whose parent never comes under the root, with a warning, and ends the session", async () => {
    const r = receiver(50);
    const t = newTrace();
    r.add([
      span(t, "root", undefined, 0),
      span(t, "lost-child", "missing", 2),
      span(t, "grandchild", "lost-child", 3),
    ]);
    expect((await stored(r, t)).root.status).toBe("running");
    // Placed by the receiver's sweep once the wait is over (polled: timers run late on a busy machine).
    let tree = await stored(r, t);
    for (let i = 0; i < 100 && tree.root.status === "running"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      tree = await stored(r, t);
    }
    expect(shape(tree.root)).toBe("root(root, lost-child(grandchild))");
    expect(tree.find("lost-child")!.attributes["runtrace.warning"]).toMatch(
      /its parent span [0-9a-f]{16} had not arrived [\d.]+ s after it: shown under the session's root/,
    );
    expect(tree.find("grandchild")!.attributes["runtrace.warning"]).toBeUndefined();
    expect(tree.root.status).toBe("ok");
    // The parent, coming late, says where its spans went.
    r.add([span(t, "missing", "root", 1)]);
    expect((await stored(r, t)).find("missing")!.attributes["runtrace.warning"]).toMatch(
      /1 of its spans arrived long before it/,
    );
  });

  it("says a moved span's service when it differs from its new parent's", async () => {
    const r = receiver();
    const t = newTrace();
    const pay = { resource: { "service.name": "payments" } };
    // Shown under the root (of its own service) first, then under a parent of another service.
    r.add([span(t, "charge", "checkout", 3)]);
    expect((await stored(r, t)).find("charge")!.attributes["service.name"]).toBeUndefined();
    r.add([span(t, "checkout", "root", 2, pay), span(t, "root", undefined, 0)]);
    const tree = await stored(r, t);
    expect(shape(tree.root)).toBe("root(root(checkout(charge)))");
    expect(tree.find("checkout")!.attributes["service.name"]).toBe("payments");
    expect(tree.find("charge")!.attributes["service.name"]).toBe("shop");
  });

  it("writes everything still waiting when it closes: nothing received is lost", async () => {
    const r = receiver();
    const t = newTrace();
    // b waits for a, which waits for a parent that never comes; x and y wait for each other.
    r.add([span(t, "b", "a", 2)]);
    r.add([span(t, "a", "gone", 1), span(t, "x", "y", 5), span(t, "y", "x", 6)]);
    const id = r.sessionOf(t)!.sessionId;
    await r.close();
    const tree = await rt.readSession(id, { dir });
    expect(shape(tree.root)).toBe("shop(a(b), x(y))");
    // A span whose parent is one of its own spans stays under the root, saying why.
    expect(tree.find("x")!.attributes["runtrace.warning"]).toMatch(
      /its parent span [0-9a-f]{16} is one of its own spans/,
    );
  });

  it("stores a runtrace session's trace as that session: its id, root and call ids", async () => {
    const r = receiver();
    const t = newTrace();
    const session = "20261122-174751-4f5d811acd";
    const identity = (callId: string, kind: string, node: string) => ({
      "runtrace.node": node,
      "runtrace.kind": kind,
      "runtrace.session.id": session,
      "runtrace.call.id": callId,
    });
    r.add([
      span(t, "tool", "session", 2, {
        name: "execute_tool search",
        attributes: identity("1", "tool", "search"),
      }),
    ]);
    r.add([
      span(t, "session", undefined, 0, { name: "nightly", attributes: identity("0", "session", "nightly") }),
    ]);
    expect(r.sessionOf(t)!.sessionId).toBe(session);
    const tree = await stored(r, t);
    expect(tree.root).toMatchObject({ id: "0", node: "nightly", kind: "session", status: "ok" });
    expect(tree.root.attributes).toEqual({ "service.name": "shop" });
    expect(tree.get("1")).toMatchObject({ node: "search", kind: "tool", parentId: "0" });
    // A second copy of that trace (the viewer restarted) takes another id.
    const again = receiver();
    const t2 = newTrace();
    again.add([
      span(t2, "session", undefined, 0, { name: "nightly", attributes: identity("0", "session", "nightly") }),
    ]);
    expect(again.sessionOf(t2)!.sessionId).toBe(`${session}.otlp`);
  });

  it("forgets a trace that went quiet; a span of it coming later starts a new session", async () => {
    const r = receiver();
    const t = newTrace();
    r.add([span(t, "root", undefined, 0)]);
    const first = r.sessionOf(t)!.sessionId;
    expect(r.sessionOf(t)!.ended).toBe(true);
    r.sweep(Date.now() + 30_000);
    expect(r.sessionOf(t)).toBeDefined();
    r.sweep(Date.now() + 61_000);
    expect(r.sessionOf(t)).toBeUndefined();
    r.add([span(t, "late", "root", 5)]);
    expect(r.sessionOf(t)!.sessionId).toBe(`${first}-2`);
  });
});
