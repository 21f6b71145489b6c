import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Viewer } from "../../packages/viz/src/index.js";
import { startViewer } from "../../packages/viz/src/index.js";
import type { FlatCall, SessionResponse } from "../../packages/viz/src/shared/types.js";
import { FIXTURES, readEvents, removeTempDirs, tempDir, waitFor } from "./fixtures/helpers.js";

let viewer: Viewer | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  child?.kill();
  child = undefined;
  await viewer?.close();
  viewer = undefined;
  removeTempDirs();
});

describe("a running session on the viewer's event stream", () => {
  it("sends each call as it finishes and the end, from another process's growing file", async () => {
    const dir = tempDir();
    let exitedAt = Number.POSITIVE_INFINITY;
    child = spawn(process.execPath, [join(FIXTURES, "live-session.mjs")], {
      env: { ...process.env, RUNTRACE_DIR: dir },
      stdio: "inherit",
    });
    child.on("exit", () => {
      exitedAt = performance.now();
    });
    viewer = await startViewer({ dir, port: 0 });
    const file = await waitFor(() => readdirSync(dir).find((name) => name.endsWith(".jsonl")));
    const id = file.slice(0, -".jsonl".length);

    const response = await fetch(new URL(`/api/sessions/${id}/stream`, viewer.url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readEvents(response, (event) => event.event === "end");

    const end = events.at(-1)!;
    expect(end.event).toBe("end");
    const session = end.data as SessionResponse;
    expect(session.live).toBe(false);
    expect(session.summary).toMatchObject({ name: "live-fixture", status: "ok", calls: 6, errors: 0 });
    expect(session.root.childCount).toBe(6);

    // When each step was first seen finished: they arrive one by one while the session runs.
    const finishedAt = new Map<string, number>();
    for (const event of events) {
      const call = event.data as FlatCall;
      if (event.event === "call" && call.status === "ok" && !finishedAt.has(call.id)) {
        expect(call).toMatchObject({ node: "step", kind: "tool", depth: 1, parentId: "0" });
        finishedAt.set(call.id, event.at);
      }
    }
    expect(finishedAt.size).toBe(6);
    const times = [...finishedAt.values()].sort((a, b) => a - b);
    expect(new Set(times.map((t) => Math.round(t / 50))).size).toBeGreaterThanOrEqual(4);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(500);
    // The first finished call arrived well before the writing process exited.
    expect(times[0]!).toBeLessThan(exitedAt - 300);
    const outputs = [...events]
      .filter((e) => e.event === "call" && (e.data as FlatCall).status === "ok")
      .map((e) => (e.data as FlatCall).output);
    expect(outputs).toContainEqual({ step: 5 });
  });
});
