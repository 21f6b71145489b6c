/**
 * A session file with nothing in it (its process was killed before its first write) is an empty,
 * interrupted session everywhere: `ls`, `show`, `export`, `tail` and the viewer's API.
 */
import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Viewer } from "../../packages/viz/src/index.js";
import { startViewer } from "../../packages/viz/src/index.js";
import type {
  CallsResponse,
  SessionResponse,
  SessionsResponse,
} from "../../packages/viz/src/shared/types.js";
import { readEvents, removeTempDirs, runCli, tempDir } from "./fixtures/helpers.js";

const ID = "20261128-101500-0e0e0e0e0e";
const WRITTEN = new Date(Date.UTC(2026, 10, 28, 10, 15, 0));

let dir: string;
let viewer: Viewer | undefined;

beforeEach(() => {
  dir = tempDir();
  writeFileSync(join(dir, `${ID}.jsonl`), "");
  utimesSync(join(dir, `${ID}.jsonl`), WRITTEN, WRITTEN);
});

afterEach(async () => {
  await viewer?.close();
  viewer = undefined;
  removeTempDirs();
});

describe("a zero-byte session file", () => {
  it("is listed, shown, exported and tailed as an empty interrupted session", async () => {
    const file = join(dir, `${ID}.jsonl`);
    const [ls, byId, latest, byPath, otlp, html, tail] = await Promise.all(
      [
        ["ls", "--dir", dir],
        ["show", ID, "--dir", dir],
        ["show", "latest", "--dir", dir],
        ["show", file],
        ["export", ID, "--format", "otlp", "--dir", dir],
        ["export", ID, "--format", "html", "--dir", dir],
        ["tail", "--dir", dir],
      ].map((args) => runCli(args)),
    );
    expect(ls!.code).toBe(0);
    const lines = ls!.stdout.trimEnd().split("\n");
    expect(lines[1]).toMatch(
      new RegExp(
        `^${ID}\\s+${ID}\\s+interrupted\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+-\\s+0\\s+0$`,
      ),
    );
    expect(lines[2]).toMatch(/^ {2}! the file is empty: the process that recorded this session stopped/);

    for (const show of [byId, latest, byPath]) {
      expect(show!.code).toBe(0);
      expect(show!.stdout).toMatch(new RegExp(`^! ${ID} \\[session\\] running interrupted ${ID}\\n$`));
      expect(show!.stderr).toMatch(/^warning: the file is empty/);
    }

    expect(otlp!.code).toBe(0);
    const spans = JSON.parse(otlp!.stdout).resourceSpans[0].scopeSpans[0].spans as Array<{ name: string }>;
    expect(spans.map((span) => span.name)).toEqual([ID]);
    expect(html!.code).toBe(0);
    expect(html!.stdout).toContain("runtrace-data");

    expect(tail!.code).toBe(0);
    expect(tail!.stdout).toContain(`! ${ID} [session] running interrupted`);
    expect(tail!.stdout.trimEnd().split("\n").at(-1)).toBe(
      "Session interrupted: its process stopped without ending it.",
    );
  }, 90_000);

  it("is served by the viewer as an empty interrupted session, its stream ending at once", async () => {
    viewer = await startViewer({ dir, port: 0, clientDir: tempDir() });
    const get = async <T>(path: string) => {
      const response = await fetch(new URL(path, viewer!.url));
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    };
    const { sessions } = await get<SessionsResponse>("/api/sessions");
    expect(sessions).toEqual([
      expect.objectContaining({
        id: ID,
        name: ID,
        status: "interrupted",
        calls: 0,
        start: WRITTEN.getTime(),
      }),
    ]);
    const session = await get<SessionResponse>(`/api/sessions/${ID}`);
    expect(session).toMatchObject({ live: false, root: { status: "interrupted", childCount: 0 } });
    expect(session.warnings).toEqual([expect.stringMatching(/^the file is empty/)]);
    expect(await get<CallsResponse>(`/api/sessions/${ID}/calls`)).toEqual({ total: 0, offset: 0, calls: [] });

    const stream = await fetch(new URL(`/api/sessions/${ID}/stream`, viewer.url));
    const events = await readEvents(stream, (event) => event.event === "end");
    expect(events.map((event) => event.event)).toEqual(["end"]);
    expect(events[0]!.data).toMatchObject({ live: false, summary: { status: "interrupted", calls: 0 } });
  });
});
