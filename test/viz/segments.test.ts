/**
 * Sessions stored in segment files (the short sessions of a process that has made many session
 * files) next to sessions with files of their own: the viewer's API, its event stream and cache,
 * and the CLI treat them alike.
 */
import { existsSync, readdirSync } from "node:fs";
import { open as openFile } from "node:fs/promises";
import { join } from "node:path";
import * as rt from "@runtrace/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { segmentLimits } from "../../packages/core/src/session-file/segment-writer.js";
import { TraceSessions } from "../../packages/viz/src/ingest/traces.js";
import type { OpenFile } from "../../packages/viz/src/load/follow.js";
import { SessionSource } from "../../packages/viz/src/load/sessions.js";
import { type RunningServer, startServer } from "../../packages/viz/src/server/server.js";
import { ClientFiles } from "../../packages/viz/src/server/static.js";
import type {
  CallsResponse,
  ErrorResponse,
  FlatCall,
  SessionResponse,
  SessionsResponse,
} from "../../packages/viz/src/shared/types.js";
import { readEvents, removeTempDirs, runCli, tempDir } from "./fixtures/helpers.js";
import { recordCheckout, recordWarmUp } from "./fixtures/shop.js";

const price = rt.functionNode(async (sku: string) => sku.length * 10, { name: "price" });
const refuse = rt.functionNode(
  async (user: string) => {
    throw new Error(`card of ${user} refused`);
  },
  { name: "refuse", kind: "tool" },
);
const order = rt.functionNode(
  async (user: string) => {
    const prices = await Promise.all(["book", "pen"].map((sku) => rt.call(price, sku)));
    if (user === "bob") await rt.call(refuse, user).catch(() => {});
    return prices;
  },
  { name: "order", kind: "agent" },
);

/**
 * Runs short sessions (no timer in them: each starts and ends within one write) as a process that
 * has made its session files already: they go to a segment file. Returns their ids in order.
 */
async function recordInSegment(dir: string, users: string[]): Promise<string[]> {
  const before = segmentLimits.filesBefore;
  segmentLimits.filesBefore = 0;
  try {
    const store = rt.jsonlStore({ dir });
    const ids: string[] = [];
    for (const user of users) {
      const session = new rt.Session({ name: `order-${user}`, store });
      ids.push(session.id);
      await session.run(() => rt.call(order, user));
    }
    await rt.flush();
    return ids;
  } finally {
    segmentLimits.filesBefore = before;
  }
}

let dir: string;
let warmId: string;
let checkoutId: string;
/** Sessions of ada (ok) and bob (an error), in this order, both in one segment file. */
let adaId: string;
let bobId: string;

beforeAll(async () => {
  dir = tempDir();
  warmId = await recordWarmUp(dir);
  checkoutId = await recordCheckout(dir);
  [adaId, bobId] = (await recordInSegment(dir, ["ada", "bob"])) as [string, string];
  const names = readdirSync(dir);
  // What this file is about: two files of their own, two sessions in a segment.
  expect(names.filter((name) => name.endsWith(".jsonl"))).toHaveLength(2);
  expect(names.filter((name) => name.endsWith(".segment"))).toHaveLength(1);
  expect(existsSync(join(dir, `${bobId}.jsonl`))).toBe(false);
});

afterAll(() => removeTempDirs());

describe("the viewer's server over a directory with a segment file", () => {
  let server: RunningServer | undefined;
  let source: SessionSource;
  let opened: string[];

  beforeAll(async () => {
    opened = [];
    // Counts the files opened to follow a session: none for a session in a segment.
    const open: OpenFile = (file) => {
      opened.push(file);
      return openFile(file, "r");
    };
    source = new SessionSource({ dir, open, pollMs: 50 });
    server = await startServer({
      source,
      client: new ClientFiles(tempDir()),
      host: "127.0.0.1",
      port: 0,
      jaegerUrl: null,
    });
  });
  afterAll(async () => {
    await server?.close();
    source.close();
  });

  const url = (path: string) => new URL(path, server!.url).href;
  async function json<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(url(path));
    return { status: response.status, body: (await response.json()) as T };
  }

  it("lists the sessions of both kinds, newest first", async () => {
    const { status, body } = await json<SessionsResponse>("/api/sessions");
    expect(status).toBe(200);
    expect(body.sessions.map((s) => s.id)).toEqual([bobId, adaId, checkoutId, warmId]);
    expect(body.sessions[0]).toMatchObject({ name: "order-bob", status: "ok", calls: 4, errors: 1 });
    expect(body.sessions[0]!.file).toMatch(/\.segment$/);
    expect(body.sessions[2]).toMatchObject({ name: "checkout", status: "error", calls: 6, errors: 2 });
  });

  it("opens a session stored in a segment, and pages its calls", async () => {
    const { status, body } = await json<SessionResponse>(`/api/sessions/${bobId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ live: false, summary: { id: bobId, name: "order-bob", errors: 1 } });
    expect(body.root).toMatchObject({ node: "order-bob", status: "ok" });
    const calls = await json<CallsResponse>(`/api/sessions/${bobId}/calls`);
    expect(calls.status).toBe(200);
    expect(calls.body.total).toBe(4);
    expect(calls.body.calls.map((c) => [c.node, c.status])).toEqual([
      ["order", "ok"],
      ["price", "ok"],
      ["price", "ok"],
      ["refuse", "error"],
    ]);
    // A session of its own in the same directory opens as before.
    expect((await json<SessionResponse>(`/api/sessions/${checkoutId}`)).body.summary.calls).toBe(6);
  });

  it("streams a segment session's end at once, following no file", async () => {
    // Not in the page cache: the stream must find it by itself.
    const response = await fetch(url(`/api/sessions/${adaId}/stream`));
    expect(response.status).toBe(200);
    const [first] = await readEvents(response, () => true);
    expect(first!.event).toBe("end");
    expect(first!.data).toMatchObject({ live: false, summary: { id: adaId, status: "ok", calls: 3 } });
    expect(opened).toEqual([]);
    expect(source.followed).toBe(0);
  });

  it("answers an unknown id with 404 and a bad one with 400, on every route", async () => {
    for (const route of ["", "/calls", "/stream"]) {
      const unknown = await json<ErrorResponse>(`/api/sessions/20991231-000000-ffffffffff${route}`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe("session_not_found");
      expect(unknown.body.error.message).toContain(`No session "20991231-000000-ffffffffff" in ${dir}`);
      const bad = await json<ErrorResponse>(`/api/sessions/a%20b${route}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("invalid_session_id");
    }
    expect(source.followed).toBe(0);
  });
});

describe("the viewer's cache and a segment session that gets more lines", () => {
  it("reads it again once a later block of it is written", async () => {
    const own = tempDir();
    let later!: Promise<void>;
    let goOn!: () => void;
    const gate = new Promise<void>((resolve) => {
      goOn = resolve;
    });
    const keepsAHandle = rt.functionNode(
      async () => {
        // Work the call leaves running: its event is written after the session's end.
        later = gate.then(() => rt.event("late", { after: "the end" }));
      },
      { name: "keeps-a-handle" },
    );
    const before = segmentLimits.filesBefore;
    segmentLimits.filesBefore = 0;
    let id: string;
    try {
      const session = new rt.Session({ name: "left-running", store: rt.jsonlStore({ dir: own }) });
      id = session.id;
      await session.run(() => rt.call(keepsAHandle));
      await rt.flush();
    } finally {
      segmentLimits.filesBefore = before;
    }
    const source = new SessionSource({ dir: own });
    const first = await source.load(id);
    expect(first.summary.file).toMatch(/\.segment$/);
    expect(first.tree.find("keeps-a-handle")?.events).toEqual([]);
    expect(await source.load(id)).toBe(first); // unchanged: the cached one

    goOn();
    await later;
    await rt.flush();
    const again = await source.load(id);
    expect(again).not.toBe(first);
    expect(again.tree.find("keeps-a-handle")?.events.map((e) => e.name)).toEqual(["late"]);
    expect(again.response.live).toBe(false);
    expect(await source.ifOver(id)).toBe(again);
    source.close();
  });
});

describe("the CLI on sessions stored in a segment", () => {
  it("runtrace ls lists them with the others", async () => {
    const { code, stdout, stderr } = await runCli(["ls", "--dir", dir]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(new RegExp(`^${bobId}\\s+order-bob\\s+ok\\s+.*\\s+4\\s+1$`));
    expect(lines[2]).toMatch(new RegExp(`^${adaId}\\s+order-ada\\s+ok\\s+.*\\s+3\\s+0$`));
    expect(lines[3]).toMatch(new RegExp(`^${checkoutId}\\s+checkout\\s+error`));
  });

  it("runtrace show <id> and show latest print a segment session's tree", async () => {
    const { code, stdout, stderr } = await runCli(["show", bobId, "--dir", dir]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^✓ order-bob \\[session\\] .* ${bobId}\\n└─ ✓ order \\[agent\\]`));
    expect(stdout).toMatch(/✗ refuse \[tool\] .* error Error: card of bob refused/);
    const latest = await runCli(["show", "latest", "--errors", "--dir", dir]);
    expect(latest.code).toBe(0);
    expect(latest.stdout).toContain(bobId);
    expect(latest.stdout).not.toContain("price");

    const missing = await runCli(["show", "20991231-000000-ffffffffff", "--dir", dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /no session "20991231-000000-ffffffffff" in .*check the id with `runtrace ls`/,
    );
  });

  it("runtrace export --format jaeger <id> exports a segment session", async () => {
    const { code, stdout, stderr } = await runCli(["export", adaId, "--format", "jaeger", "--dir", dir]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const trace = JSON.parse(stdout) as { data: Array<{ spans: Array<{ operationName: string }> }> };
    expect(trace.data).toHaveLength(1);
    expect(trace.data[0]!.spans.map((s) => s.operationName).sort()).toEqual([
      "invoke_agent order",
      "order-ada",
      "price",
      "price",
    ]);
  });

  it("runtrace tail on a directory whose newest session is in a segment prints it and ends", async () => {
    const { code, stdout } = await runCli(["tail", "--dir", dir]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`Following order-bob (${bobId})`);
    expect(stdout).toMatch(/✓ order-bob \[session\][\s\S]*✗ refuse \[tool\]/);
    expect(lines.at(-2)).toBe("running 0 · done 3 · failed 1");
    expect(lines.at(-1)).toMatch(/^Session ok in [\d.]+ m?s: 4 calls, 1 failed\.$/);
  });
});

describe("a session that runs while a busy process appends it to a segment file", () => {
  /** A session in a segment that waits for `finish()` between its calls, in its own directory. */
  async function running() {
    const own = tempDir();
    const before = segmentLimits.filesBefore;
    segmentLimits.filesBefore = 0;
    const store = rt.jsonlStore({ dir: own });
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const session = new rt.Session({ name: "order-dee", store });
    const done = session.run(async () => {
      await rt.call(price, "book");
      await gate;
      await rt.call(order, "dee");
    });
    // Its first block is written at the end of this turn; nothing else waits for its file.
    await new Promise((resolve) => setImmediate(resolve));
    segmentLimits.filesBefore = before;
    expect(existsSync(join(own, `${session.id}.jsonl`))).toBe(false);
    return { own, id: session.id, finish, done };
  }

  it("is followed live by the viewer's stream through the segment's index", async () => {
    const { own, id, finish, done } = await running();
    const source = new SessionSource({ dir: own, pollMs: 50 });
    const server = await startServer({
      source,
      client: new ClientFiles(tempDir()),
      host: "127.0.0.1",
      port: 0,
      jaegerUrl: null,
    });
    try {
      const page = (await (
        await fetch(new URL(`/api/sessions/${id}`, server.url))
      ).json()) as SessionResponse;
      expect(page).toMatchObject({ live: true, root: { status: "running" } });
      const response = await fetch(new URL(`/api/sessions/${id}/stream`, server.url));
      let finished = false;
      const events = await readEvents(response, (event, all) => {
        // Once the state so far has come, the session goes on.
        if (!finished && event.event === "session" && all.some((e) => e.event === "call")) {
          finished = true;
          finish();
        }
        return event.event === "end";
      });
      await done;
      const calls = new Map<string, FlatCall>();
      for (const event of events) {
        if (event.event === "call") calls.set((event.data as FlatCall).id, event.data as FlatCall);
      }
      expect([...calls.values()].map((c) => [c.node, c.status])).toEqual([
        ["price", "ok"],
        ["order", "ok"],
        ["price", "ok"],
        ["price", "ok"],
      ]);
      expect(events.at(-1)!.data).toMatchObject({ live: false, root: { status: "ok" } });
      expect(source.followed).toBe(1);
    } finally {
      await server.close();
      source.close();
    }
  });

  it("is followed by runtrace tail until it ends", async () => {
    const { own, id, finish, done } = await running();
    const tail = runCli(["tail", "--dir", own]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    finish();
    await done;
    await rt.flush();
    const { code, stdout } = await tail;
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`Following order-dee (${id})`);
    expect(lines).toContain("running 0 · done 1 · failed 0");
    expect(lines.at(-1)).toMatch(/^Session ok in [\d.]+ m?s: 4 calls, 0 failed\.$/);
  });
});

describe("the OTLP receiver and a session stored in a segment", () => {
  it("stores a trace of that session under another id, leaving the stored session as it was", async () => {
    const own = tempDir();
    const [id] = (await recordInSegment(own, ["cy"])) as [string];
    const traces = new TraceSessions({ dir: own, orphanWaitMs: 60_000 });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const root: rt.SpanData = {
      traceId,
      spanId: "00f067aa0ba902b7",
      name: "order-cy",
      kind: "internal",
      start: Date.now() - 20,
      end: Date.now() - 10,
      attributes: {
        "runtrace.node": "order-cy",
        "runtrace.kind": "session",
        "runtrace.session.id": id,
        "runtrace.call.id": "0",
      },
      events: [],
      status: { code: "unset" },
      resource: { "service.name": "shop" },
    };
    await traces.prepare([root]);
    traces.add([root]);
    expect(traces.sessionOf(traceId)!.sessionId).toBe(`${id}.otlp`);
    await traces.close();
    expect((await rt.findSession(own, id))?.kind).toBe("segment");
    expect((await rt.readSession(id, { dir: own })).root.node).toBe("order-cy");
  });
});

afterEach(() => {
  expect(segmentLimits.filesBefore).toBe(64);
});
