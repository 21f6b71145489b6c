/**
 * Many clients on one running session's event stream: one reader of the file feeds them all, a client
 * that stops reading is dropped while the others go on, one that reconnects with `Last-Event-ID`
 * gets only what changed, and the reader is gone once the last client has left.
 */
import { appendFileSync, statSync, writeFileSync } from "node:fs";
import { open as openFile } from "node:fs/promises";
import { get, type IncomingMessage } from "node:http";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FollowedFile, OpenFile } from "../../packages/viz/src/load/follow.js";
import { SessionSource } from "../../packages/viz/src/load/sessions.js";
import { type RunningServer, startServer } from "../../packages/viz/src/server/server.js";
import { ClientFiles } from "../../packages/viz/src/server/static.js";
import type { FlatCall, SessionResponse } from "../../packages/viz/src/shared/types.js";
import { removeTempDirs, tempDir, waitFor } from "./fixtures/helpers.js";

const ID = "20261128-120000-livemany0";
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

/** Lines of a session this (living) process writes, so the viewer sees it running. */
const header = () =>
  `${JSON.stringify({ type: "session", v: 1, id: ID, name: "many", start: T0, pid: process.pid, host: hostname() })}\n`;
const started = (n: number, parent = "0", output?: string) =>
  `${JSON.stringify({ type: "start", id: `c${n}`, parent, node: `step-${n}`, kind: "tool", start: T0 + n, input: [n] })}\n` +
  (output === undefined ? "" : finished(n, output));
const finished = (n: number, output: unknown = `done ${n}`) =>
  `${JSON.stringify({ type: "end", id: `c${n}`, status: "ok", end: T0 + n + 1, output })}\n`;
const range = (from: number, to: number, line: (n: number) => string) =>
  Array.from({ length: to - from }, (_, i) => line(from + i)).join("");

/** A server-sent-events client over plain HTTP: keeps every event, can stop reading. */
class Client {
  readonly events: Array<{ id: string | undefined; event: string; data: unknown }> = [];
  /** The last state of every call it was sent. */
  readonly calls = new Map<string, FlatCall>();
  session: SessionResponse | undefined;
  lastId: string | undefined;
  closed = false;
  readonly ready: Promise<IncomingMessage>;
  #buffer = "";
  #res: IncomingMessage | undefined;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ready = new Promise((resolve, reject) => {
      const req = get(url, { agent: false, headers }, (res) => {
        this.#res = res;
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => this.#read(chunk));
        res.on("error", () => {});
        resolve(res);
      });
      // The request's close, not the response's: a paused response reports nothing.
      req.on("close", () => {
        this.closed = true;
      });
      req.on("error", (error) => {
        this.closed = true;
        reject(error);
      });
    });
  }

  /** Stops reading: the bytes pile up in the connection until the server stops writing. */
  pause(): void {
    this.#res!.pause();
  }

  resume(): void {
    this.#res!.resume();
  }

  close(): void {
    this.#res?.destroy();
  }

  /** Has every call up to `c{count - 1}` finished, and a `session` event after the last of them. */
  has(count: number): boolean {
    return (
      this.session !== undefined &&
      this.session.summary.calls === count &&
      this.calls.size === count &&
      this.calls.get(`c${count - 1}`)?.status === "ok"
    );
  }

  #read(chunk: string): void {
    this.#buffer += chunk;
    for (let end = this.#buffer.indexOf("\n\n"); end !== -1; end = this.#buffer.indexOf("\n\n")) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let id: string | undefined;
      let event = "message";
      let data: string | undefined;
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) id = line.slice(4);
        else if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data = line.slice(6);
      }
      if (data === undefined) continue;
      const parsed = JSON.parse(data) as unknown;
      this.events.push({ id, event, data: parsed });
      if (id !== undefined) this.lastId = id;
      if (event === "call") this.calls.set((parsed as FlatCall).id, parsed as FlatCall);
      else this.session = parsed as SessionResponse;
    }
  }
}

let server: RunningServer | undefined;
let source: SessionSource | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  source?.close();
  server = undefined;
  source = undefined;
  removeTempDirs();
});

/** A viewer over a fresh dir whose followed files are opened through a counter. */
async function viewer(options: { maxBacklog?: number } = {}) {
  const dir = tempDir();
  const file = join(dir, `${ID}.jsonl`);
  const reads = { opens: 0, bytes: 0 };
  const open: OpenFile = async (path) => {
    const handle = await openFile(path, "r");
    if (path === file) reads.opens++;
    const counted: FollowedFile = {
      read: async (buffer, offset, length, position) => {
        const result = await handle.read(buffer, offset, length, position);
        if (path === file) reads.bytes += result.bytesRead;
        return result;
      },
      stat: () => handle.stat(),
      close: () => handle.close(),
    };
    return counted;
  };
  source = new SessionSource({ dir, open, pollMs: 50 });
  server = await startServer({
    source,
    client: new ClientFiles(tempDir()),
    host: "127.0.0.1",
    port: 0,
    jaegerUrl: null,
    ...options,
  });
  const url = new URL(`/api/sessions/${ID}/stream`, server.url).href;
  const connect = (headers?: Record<string, string>) => {
    const client = new Client(url, headers);
    clients.push(client);
    return client;
  };
  return { file, reads, connect, source };
}

describe("many clients on one running session", () => {
  it("all get the same updates from one read of the file, and the reader goes when they do", async () => {
    const { file, reads, connect, source } = await viewer();
    writeFileSync(file, header() + range(0, 100, (n) => started(n, "0", `done ${n}`)));
    const many = Array.from({ length: 10 }, () => connect());
    await waitFor(() => many.every((client) => client.has(100)) || undefined);
    expect(source.followed).toBe(1);

    // The session goes on: new calls, children of an old one, and an old call's children finishing.
    appendFileSync(
      file,
      range(100, 150, (n) => started(n, "c3")),
    );
    appendFileSync(
      file,
      range(100, 150, (n) => finished(n, { n })),
    );
    await waitFor(() => many.every((client) => client.has(150)) || undefined);

    const states = many.map((client) =>
      JSON.stringify([...client.calls.values()].sort((a, b) => (a.id < b.id ? -1 : 1))),
    );
    expect(new Set(states).size).toBe(1);
    const calls = many[0]!.calls;
    expect(calls.get("c3")).toMatchObject({ childCount: 50, depth: 1, status: "ok" });
    expect(calls.get("c149")).toMatchObject({ parentId: "c3", depth: 2, status: "ok", output: { n: 149 } });
    expect(many.every((client) => client.session?.summary.calls === 150 && client.session.live)).toBe(true);
    // One reader: the file was opened once and each of its bytes read once, not once per client.
    expect(reads.opens).toBe(1);
    expect(reads.bytes).toBe(statSync(file).size);

    for (const client of many) client.close();
    await waitFor(() => (source.followed === 0 ? true : undefined));
    // A client that comes later gets a new reader, which reads the file from the start.
    const later = connect();
    await waitFor(() => (later.has(150) ? true : undefined));
    expect(reads.opens).toBe(2);
  });

  it("drops a client that stops reading, while the others go on", async () => {
    const { file, connect, source } = await viewer({ maxBacklog: 200 });
    writeFileSync(file, header() + range(0, 10, (n) => started(n, "0", `done ${n}`)));
    const reading = [connect(), connect()];
    const stalled = connect();
    await waitFor(() => [...reading, stalled].every((client) => client.has(10)) || undefined);
    stalled.pause();

    // Rounds of 100 calls with 20 kB outputs: the stalled client's connection fills up, then it
    // falls behind by more than 200 calls and the server drops it. The others get every round.
    const feed = source.feed(ID);
    const big = "x".repeat(20_000);
    let count = 10;
    for (let round = 0; round < 200 && feed.subscribers === 3; round++) {
      appendFileSync(
        file,
        range(count, count + 100, (n) => started(n, "0", big)),
      );
      count += 100;
      await waitFor(() => reading.every((client) => client.has(count)) || undefined);
    }
    expect(feed.subscribers).toBe(2);
    appendFileSync(
      file,
      range(count, count + 10, (n) => started(n, "0", `done ${n}`)),
    );
    count += 10;
    await waitFor(() => reading.every((client) => client.has(count)) || undefined);
    expect(reading.every((client) => !client.closed)).toBe(true);

    // Reading again, the dropped client finds its stream closed with calls missing; it comes back
    // with the id of the last event it got and receives the rest.
    stalled.resume();
    await waitFor(() => (stalled.closed ? true : undefined));
    expect(stalled.has(count)).toBe(false);
    const back = connect({ "Last-Event-ID": stalled.lastId! });
    await waitFor(() =>
      back.session?.summary.calls === count && back.lastId !== undefined ? true : undefined,
    );
    const seen = new Map([...stalled.calls, ...back.calls]);
    expect(seen.size).toBe(count);
    expect([...seen.values()].every((call) => call.status === "ok")).toBe(true);
    expect(back.calls.has("c0")).toBe(false);
  });

  it("sends a client that comes back with Last-Event-ID only what changed since", async () => {
    const { file, connect } = await viewer();
    writeFileSync(file, header() + range(0, 100, (n) => started(n, "0", `done ${n}`)) + started(100));
    const stays = connect();
    const first = connect();
    const caughtUp = (client: Client) =>
      client.session?.summary.calls === 101 && client.calls.size === 101 && client.lastId !== undefined;
    await waitFor(() => (caughtUp(stays) && caughtUp(first) ? true : undefined));
    expect(first.calls.get("c100")?.status).toBe("running");
    first.close();

    appendFileSync(file, finished(100) + range(101, 105, (n) => started(n, "0", `done ${n}`)));
    await waitFor(() => (stays.has(105) ? true : undefined));
    const back = connect({ "Last-Event-ID": first.lastId! });
    await waitFor(() =>
      back.session?.summary.calls === 105 && back.lastId !== undefined ? true : undefined,
    );
    // c100 finished and c101-c104 are new; c0-c99 did not change and are not sent again.
    expect([...back.calls.keys()].sort()).toEqual(["c100", "c101", "c102", "c103", "c104"]);
    expect(back.calls.get("c100")?.status).toBe("ok");

    // An id this reader did not make (an older reader, another file) gets everything.
    const stranger = connect({ "Last-Event-ID": "0badc0de-3" });
    await waitFor(() => (stranger.has(105) ? true : undefined));
  });
});
