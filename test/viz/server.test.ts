import { appendFileSync, existsSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import * as rt from "@runtrace/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Viewer } from "../../packages/viz/src/index.js";
import { startViewer } from "../../packages/viz/src/index.js";
import type {
  CallsResponse,
  ErrorResponse,
  SessionResponse,
  SessionsResponse,
} from "../../packages/viz/src/shared/types.js";
import { rawGet, record, removeTempDirs, tempDir } from "./fixtures/helpers.js";

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const greet = rt.functionNode(async (name: string) => `hello ${name}`, { name: "greet" });

let viewer: Viewer | undefined;
let dir: string;
let goodId: string;

beforeEach(async () => {
  dir = tempDir();
  goodId = await record(dir, "good", () => Promise.all(["ada", "bob"].map((n) => rt.call(greet, n))));
  // A session whose writer died: a garbage line in the middle, the last line cut off mid-write.
  const header = { type: "session", v: 1, id: "corrupt", name: "corrupt", start: Date.now() - 5000 };
  writeFileSync(
    join(dir, "corrupt.jsonl"),
    `${JSON.stringify({ ...header, pid: 2 ** 22 + 12345, host: hostname() })}\n` +
      "this is not json\n" +
      `${JSON.stringify({ type: "call", id: "1", parent: "0", node: "a", kind: "function", start: header.start + 1, status: "ok", end: header.start + 2 })}\n` +
      '{"type":"call","id":"2","parent":"0","node":"b","ki',
  );
  writeFileSync(join(dir, "junk.jsonl"), "not a session file at all\n");
  viewer = await startViewer({ dir, port: 0, clientDir: tempDir() });
});

afterEach(async () => {
  await viewer?.close();
  viewer = undefined;
  removeTempDirs();
});

const url = (path: string) => new URL(path, viewer!.url).href;

async function json<T>(path: string): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url(path));
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

describe("the viewer's server with bad input", () => {
  it("answers an unknown session id with 404 and a JSON error", async () => {
    const { status, body, headers } = await json<ErrorResponse>("/api/sessions/20991231-000000-ffffffffff");
    expect(status).toBe(404);
    expect(body.error.code).toBe("session_not_found");
    expect(body.error.message).toContain("20991231-000000-ffffffffff");
    expect(headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(headers.get("cache-control")).toBe("no-store");
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect((await json<ErrorResponse>("/api/sessions/nope/calls")).status).toBe(404);
    expect((await fetch(url("/api/sessions/nope/stream"))).status).toBe(404);
  });

  it.each([
    "/api/sessions/../../etc/passwd",
    "/api/sessions/../junk",
    "/api/sessions/..%2F..%2Fetc%2Fpasswd",
    "/api/sessions/..%2fjunk/calls",
    "/api/sessions/%2e%2e%2fjunk",
    "/api/sessions/%2e%2e/stream",
    "/api/sessions/a%2Fb",
    "/api/sessions/.hidden",
    "/api/sessions/%ZZ",
  ])("answers the id in %s with 400", async (path) => {
    const response = await rawGet(viewer!.port, path);
    expect(response.status).toBe(400);
    const body = JSON.parse(response.body) as ErrorResponse;
    expect(body.error.code).toBe("invalid_session_id");
  });

  it("refuses a foreign Host header with 403 (DNS rebinding) and serves its own names", async () => {
    const port = viewer!.port;
    for (const host of [`evil.example:${port}`, "evil.example", `127.0.0.1.evil.example:${port}`]) {
      const response = await rawGet(port, "/api/sessions", host);
      expect(response.status, host).toBe(403);
      expect((JSON.parse(response.body) as ErrorResponse).error.code).toBe("forbidden_host");
    }
    expect((await rawGet(port, "/", `evil.example:${port}`)).status).toBe(403);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await rawGet(port, "/api/sessions", host)).status, host).toBe(200);
    }
  });

  it("lists a corrupt file with its problem while the other sessions still load", async () => {
    const { body } = await json<SessionsResponse>("/api/sessions");
    const byId = new Map(body.sessions.map((s) => [s.id, s]));
    expect([...byId.keys()].sort()).toEqual([goodId, "corrupt", "junk"].sort());
    expect(byId.get(goodId)).toMatchObject({ name: "good", status: "ok", calls: 2, errors: 0 });
    expect(byId.get(goodId)!.problem).toBeUndefined();
    const corrupt = byId.get("corrupt")!;
    expect(corrupt.problem).toMatch(/not valid JSON/);
    expect(corrupt.problem).toMatch(/cut off/);
    expect(corrupt).toMatchObject({ status: "interrupted", calls: 1 });
    expect(byId.get("junk")!.problem).toMatch(/no session header/);

    const good = await json<SessionResponse>(`/api/sessions/${goodId}`);
    expect(good.status).toBe(200);
    expect(good.body.root).toMatchObject({ node: "good", depth: 0, childCount: 2, status: "ok" });
    expect(good.body.live).toBe(false);
    const calls = await json<CallsResponse>(`/api/sessions/${goodId}/calls`);
    expect(calls.body.calls.map((c) => c.output)).toEqual(["hello ada", "hello bob"]);

    const broken = await json<SessionResponse>("/api/sessions/corrupt");
    expect(broken.status).toBe(200);
    expect(broken.body.warnings).toHaveLength(2);
    const junk = await json<SessionResponse>("/api/sessions/junk");
    expect(junk.status).toBe(200);
    expect(junk.body.summary.problem).toMatch(/no session header/);
    expect((await json<CallsResponse>("/api/sessions/junk/calls")).body).toEqual({
      total: 0,
      offset: 0,
      calls: [],
    });
  });

  it("sends security headers, refuses writes, and keeps serving after bad requests", async () => {
    const page = await fetch(url("/"));
    expect(page.headers.get("content-security-policy")).toBe(CSP);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    // The app is not built in this test: an honest page says so, and the API still answers.
    expect(await page.text()).toMatch(/not built[\s\S]*npm run build/);
    expect((await fetch(url(`/s/${goodId}/c/1`))).headers.get("content-security-policy")).toBe(CSP);
    expect((await fetch(url("/api/sessions"), { method: "POST" })).status).toBe(405);
    expect((await json<ErrorResponse>("/api/nothing")).status).toBe(404);
    expect((await json<ErrorResponse>(`/api/sessions/${goodId}/calls?offset=-1`)).status).toBe(400);
    expect((await rawGet(viewer!.port, "/..%2f..%2fpackage.json")).status).toBe(404);
    expect((await rawGet(viewer!.port, "/../../package.json")).status).toBe(404);
    expect((await json<SessionsResponse>("/api/sessions")).body.sessions).toHaveLength(3);
  });

  it("streams `end` at once for a finished session, and close() ends open streams", async () => {
    const response = await fetch(url(`/api/sessions/${goodId}/stream`));
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/event: end\ndata: .*\n\n/.test(text)) text += (await reader.read()).value ?? "";
    const data = JSON.parse(/event: end\ndata: (.*)\n/.exec(text)![1]!) as SessionResponse;
    expect(data).toMatchObject({ live: false, summary: { id: goodId, status: "ok", calls: 2 } });
    await viewer!.close();
    viewer = undefined;
    for (;;) if ((await reader.read()).done) break;
  });

  it("follows a growing file: calls appended to a running session show in the list and the pages", async () => {
    const start = Date.now();
    const file = join(dir, "growing.jsonl");
    const call = (id: string, parent: string, extra: object = {}) =>
      `${JSON.stringify({ type: "start", id, parent, node: `n${id}`, kind: "function", start: start + Number(id), ...extra })}\n`;
    // Written by this (living) process, so it stays `running` until its end line.
    const header = {
      type: "session",
      v: 1,
      id: "growing",
      name: "growing",
      start,
      pid: process.pid,
      host: hostname(),
    };
    writeFileSync(file, `${JSON.stringify(header)}\n${call("1", "0")}${call("2", "1")}`);
    const summary = async () =>
      (await json<SessionsResponse>("/api/sessions")).body.sessions.find((s) => s.id === "growing")!;
    const ids = async () => (await json<CallsResponse>("/api/sessions/growing/calls")).body.calls;
    expect(await summary()).toMatchObject({ status: "running", calls: 2 });
    for (const [n, parent] of [
      ["3", "0"],
      ["4", "2"],
      ["5", "3"],
    ] as const) {
      appendFileSync(file, call(n, parent));
      expect((await summary()).calls).toBe(Number(n));
      expect((await json<SessionResponse>("/api/sessions/growing")).body.live).toBe(true);
    }
    appendFileSync(
      file,
      `${JSON.stringify({ type: "end", id: "4", status: "error", end: start + 9, error: { name: "E", message: "x" } })}\n`,
    );
    expect((await ids()).map((c) => [c.id, c.depth, c.childCount, c.status])).toEqual([
      ["1", 1, 1, "running"],
      ["2", 2, 1, "running"],
      ["4", 3, 0, "error"],
      ["3", 1, 1, "running"],
      ["5", 2, 0, "running"],
    ]);
    expect(await summary()).toMatchObject({ calls: 5, errors: 1, status: "running" });
    appendFileSync(file, `${JSON.stringify({ type: "session-end", status: "ok", end: start + 10 })}\n`);
    expect(await summary()).toMatchObject({ status: "ok", calls: 5, end: start + 10 });
    expect((await json<SessionResponse>("/api/sessions/growing")).body.live).toBe(false);
  });
});

describe("startViewer's directory", () => {
  it("rejects a directory that does not exist, saying so and how to fix it, and creates it only when asked", async () => {
    const missing = join(tempDir(), "no", "such", "dir");
    const error = await startViewer({ dir: missing, port: 0, clientDir: tempDir() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(rt.InvalidOptionsError);
    expect((error as Error).message).toMatch(
      /^startViewer: no directory \/.*\/no\/such\/dir\. Pass `dir` the directory your sessions are recorded in .*, or `create: true`/,
    );
    expect(existsSync(missing)).toBe(false);

    const file = join(tempDir(), "a-file");
    writeFileSync(file, "");
    await expect(startViewer({ dir: file, port: 0 })).rejects.toThrow(/a-file is not a directory/);

    const created = await startViewer({ dir: missing, create: true, port: 0, clientDir: tempDir() });
    try {
      expect(created.dir).toBe(missing);
      expect(statSync(missing).isDirectory()).toBe(true);
      const list = (await (await fetch(new URL("/api/sessions", created.url))).json()) as SessionsResponse;
      expect(list.sessions).toEqual([]);
    } finally {
      await created.close();
    }
  });
});
