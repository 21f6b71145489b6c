import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Viewer } from "../../packages/viz/src/index.js";
import { startViewer } from "../../packages/viz/src/index.js";
import type { CallsResponse, ErrorResponse, SessionsResponse } from "../../packages/viz/src/shared/types.js";
import { writeBigSession } from "./fixtures/big-session.js";
import { removeTempDirs, tempDir } from "./fixtures/helpers.js";

const ID = "20261122-120000-b16b16b16b";
let viewer: Viewer;
let dir: string;
let expected: string[];

beforeAll(async () => {
  dir = tempDir();
  expected = writeBigSession(dir, ID);
  viewer = await startViewer({ dir, port: 0 });
});

afterAll(async () => {
  await viewer?.close();
  removeTempDirs();
});

async function page(query: string): Promise<CallsResponse> {
  const response = await fetch(new URL(`/api/sessions/${ID}/calls${query}`, viewer.url));
  expect(response.status).toBe(200);
  return (await response.json()) as CallsResponse;
}

describe("a 100,000-call session served in pages", () => {
  it("pages of the default size concatenate to the whole depth-first order", async () => {
    expect(expected).toHaveLength(100_000);
    const ids: string[] = [];
    let offset = 0;
    for (;;) {
      const body = await page(`?offset=${offset}`);
      expect(body.total).toBe(100_000);
      expect(body.offset).toBe(offset);
      if (body.calls.length === 0) break;
      expect(body.calls.length).toBeLessThanOrEqual(5000);
      for (const call of body.calls) ids.push(call.id);
      offset += body.calls.length;
    }
    expect(offset).toBe(100_000);
    expect(ids).toEqual(expected);
  });

  it("gives each call its depth and child count, and caps a page at 50,000", async () => {
    const first = await page("?offset=0&limit=12");
    expect(first.calls.map((c) => [c.id, c.depth, c.childCount])).toEqual([
      ["t0", 1, 9],
      ["t0.0", 2, 10],
      ...Array.from({ length: 10 }, (_, k) => [`t0.0.${k}`, 3, 0]),
    ]);
    expect(first.calls[0]).toMatchObject({ node: "task", kind: "agent", status: "ok", output: { id: "t0" } });
    expect(first.calls.at(-1)).toMatchObject({ status: "error", error: { message: "failed t0.0.9" } });
    expect(first.calls[0]).not.toHaveProperty("children");

    const big = await page("?offset=0&limit=100000");
    expect(big.calls).toHaveLength(50_000);
    const tail = await page("?offset=99990&limit=50");
    expect(tail.calls.map((c) => c.id)).toEqual(expected.slice(99_990));
    expect((await page("?offset=200000")).calls).toEqual([]);

    const bad = await fetch(new URL(`/api/sessions/${ID}/calls?limit=lots`, viewer.url));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorResponse).error.message).toContain("lots");

    const list = (await (await fetch(new URL("/api/sessions", viewer.url))).json()) as SessionsResponse;
    expect(list.sessions[0]).toMatchObject({ id: ID, calls: 100_000, errors: 9000, status: "ok" });
  });

  it("reads the file again once it changes", async () => {
    appendFileSync(
      join(dir, `${ID}.jsonl`),
      `${JSON.stringify({ type: "call", id: "late", parent: "0", node: "late", kind: "function", start: Date.UTC(2026, 10, 22, 12, 30), status: "ok", end: Date.UTC(2026, 10, 22, 12, 31) })}\n`,
    );
    const body = await page("?offset=100000");
    expect(body.total).toBe(100_001);
    expect(body.calls.map((c) => c.id)).toEqual(["late"]);
  });
});
