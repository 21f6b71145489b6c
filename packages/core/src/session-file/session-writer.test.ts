import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import * as rt from "../index.js";
import { storedRecord } from "../recording/record.js";
import { fsCalls } from "./open-files.js";
import { readSessionFile } from "./read-file.js";
import { FLUSH_CHARS, MEASURE_CALLS } from "./session-writer.js";

const dir = mkdtempSync(join(tmpdir(), "runtrace-writes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const work = rt.functionNode(async (n: number) => n, { name: "work" });

/** Complete lines of a file right now, parsed. */
function linesOf(file: string): Array<{ type: string; [key: string]: unknown }> {
  const text = readFileSync(file, "utf8");
  return text
    .slice(0, text.lastIndexOf("\n") + 1)
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

describe("the JSONL store's writes", () => {
  it("creates the session's file, with its header, by the end of the turn the session starts in", async () => {
    const store = rt.jsonlStore({ dir });
    const session = new rt.Session({ name: "early", store, attributes: { team: "a" } });
    const file = store.fileOf(session.id);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let began!: () => void;
    const started = new Promise<void>((resolve) => {
      began = resolve;
    });
    const waiting = rt.functionNode(
      () => {
        began();
        return gate;
      },
      { name: "waiting" },
    );
    const done = session.run(async () => {
      // Before any call, once the turn is over: the file is there and reads as a running session.
      await new Promise((resolve) => setImmediate(resolve));
      expect(existsSync(file)).toBe(true);
      const tree = await readSessionFile(file);
      expect(tree.root).toMatchObject({ node: "early", status: "running", attributes: { team: "a" } });
      expect(tree.size).toBe(0);
      await rt.call(waiting);
    });
    // Its `start` line is written at the end of the turn it started in.
    await started;
    await new Promise((resolve) => setImmediate(resolve));
    expect((await readSessionFile(file)).find("waiting")?.status).toBe("running");
    release();
    await done;
    expect((await readSessionFile(file)).root.status).toBe("ok");
  });

  it("writes finished calls while the program never yields, leaving at most the documented bound", async () => {
    const store = rt.jsonlStore({ dir });
    const session = new rt.Session({ name: "busy", store });
    const file = store.fileOf(session.id);
    const calls = 20_000;
    const seen = await session.run(async () => {
      for (let i = 0; i < calls; i++) await rt.call(work, i);
      // Still the same event-loop turn: only writes made on the way can be on disk.
      return linesOf(file);
    });
    const written = seen.filter((line) => line.type === "call");
    const pending = calls - written.length;
    const shortest = Math.min(...written.slice(0, 100).map((line) => JSON.stringify(line).length + 1));
    expect(written.length).toBeGreaterThan(0);
    expect(pending).toBeLessThanOrEqual(Math.ceil(FLUSH_CHARS / shortest) + 1 + MEASURE_CALLS);
    expect(written.map((line) => line.output)).toEqual(Array.from({ length: written.length }, (_, i) => i));
    const tree = await readSessionFile(file);
    expect(tree.size).toBe(calls);
    expect(tree.warnings).toEqual([]);
  });

  it("writes a call that runs across a mid-turn write as start and end", async () => {
    const store = rt.jsonlStore({ dir });
    const session = new rt.Session({ name: "spanning", store });
    const outer = rt.functionNode(
      async () => {
        for (let i = 0; i < 5000; i++) await rt.call(work, i);
        return "outer done";
      },
      { name: "outer" },
    );
    await session.run(() => rt.call(outer));
    const lines = linesOf(store.fileOf(session.id));
    expect(lines.find((line) => line.type === "start")).toMatchObject({ node: "outer" });
    const tree = await readSessionFile(store.fileOf(session.id));
    expect(tree.toJSON()).toEqual(session.tree.toJSON());
    expect(tree.find("outer")).toMatchObject({ status: "ok", output: "outer done" });
    expect(tree.findAll("work")).toHaveLength(5000);
  });

  it("writes calls still in flight at a mid-turn write whole, once they end", async () => {
    const store = rt.jsonlStore({ dir });
    const session = new rt.Session({ name: "parallel", store });
    await session.run(() =>
      Promise.all(
        Array.from({ length: 200 }, async (_, branch) => {
          for (let i = 0; i < 100; i++) await rt.call(work, branch * 100 + i);
        }),
      ),
    );
    const lines = linesOf(store.fileOf(session.id));
    // 20,000 calls, about 2 MB of lines: many writes in the middle of the turn, each with about
    // 200 calls in flight, and still one line per call.
    expect(lines.filter((line) => line.type === "start")).toEqual([]);
    expect(lines.filter((line) => line.type === "call")).toHaveLength(20_000);
    const tree = await readSessionFile(store.fileOf(session.id));
    expect(tree.toJSON()).toEqual(session.tree.toJSON());
  });

  it("keeps events and attributes that arrive after a call ended", async () => {
    const store = rt.jsonlStore({ dir });
    const session = new rt.Session({ name: "late", store });
    const early = rt.functionNode(
      async () => {
        // Work the node leaves behind: it reports after the call has ended.
        queueMicrotask(() => rt.event("soon"));
        setTimeout(() => {
          rt.event("later", { n: 1 });
          rt.setAttributes({ late: true });
        }, 5);
        return 1;
      },
      { name: "early" },
    );
    await session.run(async () => {
      await rt.call(early);
      await sleep(30);
    });
    await rt.flush();
    const record = (await readSessionFile(store.fileOf(session.id))).find("early")!;
    expect(record.events.map((e) => e.name)).toEqual(["soon", "later"]);
    expect(record.attributes).toEqual({ late: true });
    expect((await readSessionFile(store.fileOf(session.id))).toJSON()).toEqual(session.tree.toJSON());
  });

  it("restates at the session's end a root that changed after its header: name, start, span id", async () => {
    // What the OTLP receiver does: the header is written before the trace's root span has come.
    const store = rt.jsonlStore({ dir });
    const span: rt.SpanData = {
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: "00f067aa0ba902b7",
      parentSpanId: "00f067aa0ba902b6",
      name: "child",
      kind: "internal",
      start: 1_795_369_671_150,
      end: 1_795_369_671_160,
      attributes: {},
      events: [],
      status: { code: "unset" },
      resource: { "service.name": "shop" },
    };
    const id = rt.traceSessionId(span.traceId, span.start);
    expect(id).toBe("20261122-174751-5b8efff798");
    const root = rt.traceRootRecord(span, id, false);
    const tree = new rt.CallTree(root);
    const sink = store.openSession(tree)!;
    const child = rt.spanRecord(span, { sessionId: id, parentId: "0", service: "shop" });
    tree.attach(child, root);
    sink.started(child, root);
    sink.ended(child);
    const before = await store.readSession(id);
    expect(before.root).toMatchObject({ node: "shop", status: "running", start: span.start });
    const real = rt.traceRootRecord(
      { ...span, spanId: "00f067aa0ba902b6", parentSpanId: undefined, name: "GET /", start: span.start - 5 },
      id,
    );
    Object.assign(root, {
      node: real.node,
      start: real.start,
      end: real.end,
      status: real.status,
      spanId: "00f067aa0ba902b6",
    });
    sink.closed(root);
    const lines = linesOf(store.fileOf(id));
    expect(lines.at(-1)).toMatchObject({
      type: "session-end",
      name: "GET /",
      start: span.start - 5,
      spanId: "00f067aa0ba902b6",
    });
    expect(lines.at(-1)!.traceId).toBeUndefined();
    const after = await store.readSession(id);
    expect(after.root).toMatchObject({
      node: "GET /",
      start: span.start - 5,
      status: "ok",
      spanId: "00f067aa0ba902b6",
    });
    expect(after.find("child")).toMatchObject({ kind: "span", parentId: "0", status: "ok" });
    expect(rt.summarizeSession(after)).toMatchObject({ name: "GET /", start: span.start - 5, calls: 1 });
  });

  it("writes a moved call's line as it stood, then the move, whether it was written already or not", async () => {
    const store = rt.jsonlStore({ dir });
    const root = storedRecord("0", null, "moves-1", "trace", "session", 1000, undefined);
    const tree = new rt.CallTree(root);
    const sink = store.openSession(tree)!;
    const record = (id: string, parent: rt.CallRecord, start: number, end?: number) => {
      const made = storedRecord(id, parent.id, "moves-1", `n${id}`, "span", start, undefined);
      if (end !== undefined) {
        made.status = "ok";
        made.end = end;
      }
      tree.attach(made, parent);
      sink.started(made, parent);
      if (end !== undefined) sink.ended(made);
      return made;
    };
    // Written already: its line is on disk when it moves.
    const early = record("1", root, 1001, 1002);
    await rt.flush();
    // Still queued when its parent comes (after it) and it moves under it; one running.
    const queued = record("2", root, 1003, 1004);
    const running = record("3", root, 1005);
    const parent = record("4", root, 1000, 1010);
    sink.moved!(tree.move([early, queued, running], parent), root);
    running.status = "ok";
    running.end = 1006;
    sink.ended(running);
    root.status = "ok";
    root.end = 1011;
    sink.closed(root);
    await rt.flush();
    const file = store.fileOf("moves-1");
    expect(linesOf(file).map((line) => [line.type, line.id, line.parent])).toEqual([
      ["session", "moves-1", undefined],
      ["call", "1", "0"],
      ["call", "2", "0"],
      ["start", "3", "0"],
      ["call", "4", "0"],
      ["move", "1", "4"],
      ["move", "2", "4"],
      ["move", "3", "4"],
      ["end", "3", undefined],
      ["session-end", undefined, undefined],
    ]);
    const back = await readSessionFile(file);
    expect(back.warnings).toEqual([]);
    expect(back.root.children.map((c) => c.id)).toEqual(["4"]);
    expect(back.get("4")!.children.map((c) => [c.id, c.status])).toEqual([
      ["1", "ok"],
      ["2", "ok"],
      ["3", "ok"],
    ]);
  });

  it("writes a session that starts and ends within one turn with one create, one write and one close", async () => {
    const store = rt.jsonlStore({ dir });
    const real = { ...fsCalls };
    // The file behind each open descriptor (descriptors are reused once closed), and every open.
    const fileOf = new Map<number, string>();
    const opens: string[] = [];
    const writes: string[] = [];
    const closed: string[] = [];
    fsCalls.open = (file) => {
      const fd = real.open(file);
      fileOf.set(fd, file);
      opens.push(file);
      return fd;
    };
    fsCalls.write = (fd, data) => {
      writes.push(fileOf.get(fd)!);
      return real.write(fd, data);
    };
    fsCalls.close = (fd) => {
      closed.push(fileOf.get(fd)!);
      real.close(fd);
    };
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const session = new rt.Session({ name: "short", store });
        ids.push(session.id);
        await session.run(() => Promise.all([1, 2, 3].map((n) => rt.call(work, n))));
      }
      const files = ids.map((id) => store.fileOf(id));
      expect(opens).toEqual(files);
      expect(writes).toEqual(files);
      expect(closed).toEqual(files);
      for (const file of files) {
        const tree = await readSessionFile(file);
        expect(tree.root).toMatchObject({ node: "short", status: "ok" });
        expect(tree.findAll("work").map((r) => r.output)).toEqual([1, 2, 3]);
      }
    } finally {
      Object.assign(fsCalls, real);
    }
  });
});
