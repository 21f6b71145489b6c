import { appendFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenFile } from "./follow.js";
import { SegmentFollower } from "./segment-follow.js";

// Segments of process 4242 (the second made past 64 MiB), and one of another process in between.
const FIRST = "20261128-162000-4242-000000";
const SECOND = "20261128-162105-4242-000001";
const OTHER_PROCESS = "20261128-162030-777-000000";
const ID = "20261128-162000-4f5d811acd";

const sessionLine = (id: string) =>
  `{"type":"session","v":1,"id":"${id}","name":"request","start":1,"pid":4242}`;
const call = (id: string, n: number) =>
  `{"type":"call","id":"${n}","parent":"0","node":"${id}-step-${n}","kind":"tool","start":${n}}`;
const endLine = '{"type":"session-end","status":"ok","end":99}';
const moreLine = (id: string) => `{"type":"more","id":"${id}"}`;

interface Block {
  id: string;
  lines: string[];
  more?: boolean;
}

/** Writes segments as a process does: a turn's blocks with one append, then their index lines. */
class Writer {
  constructor(readonly dir: string) {}

  segment(name: string): string {
    return join(this.dir, `${name}.segment`);
  }

  index(name: string): string {
    return join(this.dir, `${name}.segment-index`);
  }

  size(name: string): number {
    try {
      return statSync(this.segment(name)).size;
    } catch {
      return 0;
    }
  }

  /** Appends the blocks to the segment; returns their index lines (not written yet). */
  blocks(name: string, blocks: Block[]): string[] {
    let at = this.size(name);
    let data = "";
    const index: string[] = [];
    for (const block of blocks) {
      const text = `${block.lines.join("\n")}\n`;
      const bytes = Buffer.byteLength(text);
      const summary = block.more
        ? { more: true }
        : { name: "request", start: 1, status: "ok", calls: block.lines.length - 1, errors: 0 };
      index.push(JSON.stringify({ id: block.id, at, bytes, ...summary }));
      data += text;
      at += bytes;
    }
    appendFileSync(this.segment(name), data);
    return index;
  }

  indexLines(name: string, text: string): void {
    appendFileSync(this.index(name), text);
  }

  /** One turn: the blocks, then all their index lines. */
  turn(name: string, blocks: Block[]): void {
    const index = this.blocks(name, blocks);
    this.indexLines(name, index.map((line) => `${line}\n`).join(""));
  }
}

const whole = (id: string, n: number): Block => ({ id, lines: [sessionLine(id), call(id, n), endLine] });

let dir: string;
let writer: Writer;
let got: string[][];
let resets: number;
let errors: unknown[];
let opened: string[];

const countingOpen: OpenFile = (file) => {
  opened.push(file);
  return open(file, "r");
};

function follower(id = ID, pollMs?: number): SegmentFollower {
  return new SegmentFollower(dir, id, {
    onLines: (lines) => got.push(lines),
    onReset: () => resets++,
    onError: (error) => errors.push(error),
    open: countingOpen,
    pollMs,
  });
}

const lines = () => got.flat();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "segment-follow-"));
  writer = new Writer(dir);
  got = [];
  resets = 0;
  errors = [];
  opened = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("SegmentFollower", () => {
  it("hands over a session's blocks in order as a process appends them, across a second segment", async () => {
    const f = follower();
    await f.read();
    expect(lines()).toEqual([]); // no directory content yet: nothing, and no error

    // Its first block (the session still running), between two other sessions.
    writer.turn(FIRST, [whole("a", 1), { id: ID, lines: [sessionLine(ID), call(ID, 1)] }, whole("b", 1)]);
    await f.read();
    expect(lines()).toEqual([sessionLine(ID), call(ID, 1)]);

    // A later block in another turn, after another session's: its `more` line is not handed over.
    writer.turn(FIRST, [
      whole("c", 1),
      { id: ID, lines: [moreLine(ID), call(ID, 2), call(ID, 3)], more: true },
    ]);
    await f.read();
    expect(lines().slice(2)).toEqual([call(ID, 2), call(ID, 3)]);

    // The index line of its next block is half-written when read: nothing until it is whole.
    const index = writer.blocks(FIRST, [
      whole("d", 1),
      { id: ID, lines: [moreLine(ID), call(ID, 4)], more: true },
    ]);
    const text = `${index[0]}\n${index[1]}\n`;
    const cut = text.length - 10;
    writer.indexLines(FIRST, text.slice(0, cut));
    await f.read();
    expect(lines()).toHaveLength(4);
    writer.indexLines(FIRST, text.slice(cut));
    await f.read();
    expect(lines().slice(4)).toEqual([call(ID, 4)]);

    // Past 64 MiB the process starts a second segment: the session's last block is there.
    writer.turn(SECOND, [whole("e", 1), { id: ID, lines: [moreLine(ID), call(ID, 5), endLine], more: true }]);
    await f.read();
    expect(lines()).toEqual([sessionLine(ID), ...[1, 2, 3, 4, 5].map((n) => call(ID, n)), endLine]);

    // Other sessions go on: nothing of them, nothing twice.
    writer.turn(SECOND, [whole("f", 1)]);
    await f.read();
    await f.read();
    expect(lines()).toHaveLength(7);
    expect(f.partialLine).toBe("");
    expect(resets).toBe(0);
    expect(errors).toEqual([]);
    f.close();
  });

  it("opens nothing when nothing changed, and leaves a process's earlier segment once it made a later one", async () => {
    writer.turn(FIRST, [{ id: ID, lines: [sessionLine(ID), call(ID, 1)] }]);
    const f = follower();
    await f.read();
    writer.turn(SECOND, [{ id: ID, lines: [moreLine(ID), call(ID, 2)], more: true }]);
    await f.read();
    expect(lines()).toEqual([sessionLine(ID), call(ID, 1), call(ID, 2)]);

    opened = [];
    await f.read();
    await f.read();
    expect(opened).toEqual([]);

    // The first segment is done: a line added there (no process does that) is not looked for.
    writer.turn(FIRST, [{ id: ID, lines: [moreLine(ID), call(ID, 9)], more: true }]);
    writer.turn(SECOND, [{ id: ID, lines: [moreLine(ID), call(ID, 3)], more: true }]);
    await f.read();
    expect(lines().slice(3)).toEqual([call(ID, 3)]);
    expect(opened.every((file) => file.includes(SECOND))).toBe(true);
    f.close();
  });

  it("stops reading other processes' segments once it found the session's first block", async () => {
    writer.turn(OTHER_PROCESS, [whole("x", 1)]);
    writer.turn(FIRST, [{ id: ID, lines: [sessionLine(ID), call(ID, 1)] }]);
    const f = follower();
    await f.read();
    expect(lines()).toEqual([sessionLine(ID), call(ID, 1)]);

    opened = [];
    writer.turn(OTHER_PROCESS, [whole("y", 1)]);
    writer.turn(FIRST, [{ id: ID, lines: [moreLine(ID), call(ID, 2)], more: true }]);
    await f.read();
    expect(lines().slice(2)).toEqual([call(ID, 2)]);
    expect(opened.some((file) => file.includes(OTHER_PROCESS))).toBe(false);
    f.close();
  });

  it("shares one read among concurrent callers and hands each block over once", async () => {
    writer.turn(FIRST, [whole("a", 1), { id: ID, lines: [sessionLine(ID), call(ID, 1)] }]);
    const f = follower();
    const reads = [f.read(), f.read(), f.read()];
    writer.turn(FIRST, [{ id: ID, lines: [moreLine(ID), call(ID, 2)], more: true }]);
    reads.push(f.read());
    await Promise.all(reads);
    expect(lines()).toEqual([sessionLine(ID), call(ID, 1), call(ID, 2)]);
    f.close();
  });

  describe("a process killed between writing a block and its index line", () => {
    it("leaves blocks past the index to readPastIndex, the last one's cut-off line in partialLine", async () => {
      writer.turn(FIRST, [{ id: ID, lines: [sessionLine(ID), call(ID, 1)] }]);
      // Written, never indexed: another session's block, then the session's, cut off by the kill.
      writer.blocks(FIRST, [whole("a", 1)]);
      const cutOff = call(ID, 3).slice(0, 20);
      appendFileSync(writer.segment(FIRST), `${moreLine(ID)}\n${call(ID, 2)}\n${cutOff}`);

      const f = follower();
      await f.read();
      expect(lines()).toEqual([sessionLine(ID), call(ID, 1)]);
      expect(f.partialLine).toBe("");

      await f.readPastIndex();
      expect(lines()).toEqual([sessionLine(ID), call(ID, 1), call(ID, 2)]);
      expect(f.partialLine).toBe(cutOff);

      await f.readPastIndex();
      await f.read();
      expect(lines()).toHaveLength(3);
      expect(f.partialLine).toBe(cutOff);
      expect(errors).toEqual([]);
      f.close();
    });

    it("finds a first block that was never indexed", async () => {
      writer.turn(FIRST, [whole("a", 1)]);
      writer.blocks(FIRST, [whole("b", 1), { id: ID, lines: [sessionLine(ID), call(ID, 1), endLine] }]);
      const f = follower();
      await f.read();
      expect(lines()).toEqual([]);
      await f.readPastIndex();
      expect(lines()).toEqual([sessionLine(ID), call(ID, 1), endLine]);
      f.close();
    });

    it("does not hand a block over again when its index line comes after all", async () => {
      writer.turn(FIRST, [{ id: ID, lines: [sessionLine(ID), call(ID, 1)] }]);
      const index = writer.blocks(FIRST, [{ id: ID, lines: [moreLine(ID), call(ID, 2)], more: true }]);
      const f = follower();
      await f.readPastIndex();
      expect(lines()).toEqual([sessionLine(ID), call(ID, 1), call(ID, 2)]);
      writer.indexLines(FIRST, `${index[0]}\n`);
      writer.turn(FIRST, [{ id: ID, lines: [moreLine(ID), call(ID, 3)], more: true }]);
      await f.read();
      expect(lines()).toEqual([sessionLine(ID), call(ID, 1), call(ID, 2), call(ID, 3)]);
      f.close();
    });
  });

  it("picks up an append and a new segment without being asked to read", async () => {
    writer.turn(FIRST, [{ id: ID, lines: [sessionLine(ID), call(ID, 1)] }]);
    // A poll far off: the directory watch does the work.
    const f = follower(ID, 60_000);
    await f.start();
    expect(lines()).toEqual([sessionLine(ID), call(ID, 1)]);

    writer.turn(FIRST, [whole("a", 1), { id: ID, lines: [moreLine(ID), call(ID, 2)], more: true }]);
    await vi.waitFor(() => expect(lines()).toHaveLength(3), { timeout: 10_000, interval: 20 });
    writer.turn(SECOND, [{ id: ID, lines: [moreLine(ID), call(ID, 3), endLine], more: true }]);
    await vi.waitFor(() => expect(lines()).toHaveLength(5), { timeout: 10_000, interval: 20 });
    expect(lines().slice(2)).toEqual([call(ID, 2), call(ID, 3), endLine]);
    f.close();
  });

  it("polls when no watch event comes, and calls onTick after each poll's read", async () => {
    writer.turn(FIRST, [{ id: ID, lines: [sessionLine(ID)] }]);
    let ticks = 0;
    const f = new SegmentFollower(dir, ID, {
      onLines: (lines) => got.push(lines),
      onTick: () => ticks++,
      pollMs: 30,
    });
    await f.start();
    f.unwatch(); // no watch: read only when asked, or by a poll
    writer.turn(FIRST, [{ id: ID, lines: [moreLine(ID), call(ID, 1)], more: true }]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines()).toHaveLength(1);
    f.watch();
    await vi.waitFor(() => expect(lines()).toEqual([sessionLine(ID), call(ID, 1)]), { timeout: 10_000 });
    await vi.waitFor(() => expect(ticks).toBeGreaterThan(0), { timeout: 10_000 });
    f.close();
  });

  it("reads everything again, after onReset, when a segment it read from shrank", async () => {
    writer.turn(FIRST, [whole("a", 1), { id: ID, lines: [sessionLine(ID), call(ID, 1)] }]);
    const f = follower();
    await f.read();
    expect(lines()).toHaveLength(2);

    truncateSync(writer.segment(FIRST), 0);
    writeFileSync(writer.index(FIRST), "");
    writer.turn(FIRST, [{ id: ID, lines: [sessionLine(ID), call(ID, 7)] }]);
    await f.read();
    expect(resets).toBe(1);
    expect(lines().slice(2)).toEqual([sessionLine(ID), call(ID, 7)]);
    f.close();
  });

  it("reports what it cannot read to onError, and its read still resolves", async () => {
    const notADirectory = join(dir, "file");
    writeFileSync(notADirectory, "");
    const f = new SegmentFollower(notADirectory, ID, { onLines: () => {}, onError: (e) => errors.push(e) });
    await expect(f.read()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    f.close();
  });

  it("reads nothing more once closed", async () => {
    writer.turn(FIRST, [{ id: ID, lines: [sessionLine(ID)] }]);
    const f = follower();
    await f.start();
    f.close();
    writer.turn(FIRST, [{ id: ID, lines: [moreLine(ID), call(ID, 1)], more: true }]);
    await f.read();
    expect(lines()).toEqual([sessionLine(ID)]);
  });
});
