import { join } from "node:path";
import { timePartOf } from "./ids.js";
import { fsCalls, type SessionFile, writeAll } from "./open-files.js";
import {
  type Dropped,
  type FirstBlock,
  type MoreBlock,
  type OwnFileBlock,
  type SegmentHost,
  segmentLimits,
  type Waiting,
} from "./segment-blocks.js";
import {
  type IndexLine,
  moreLine,
  SEGMENT_EXTENSION,
  SEGMENT_INDEX_EXTENSION,
  segmentName,
} from "./segments.js";
import { codeOf } from "./write-errors.js";

export { segmentLimits } from "./segment-blocks.js";

// Segment writers with blocks waiting: written at the end of the turn, at `rt.flush()` and at exit.
const waiting = new Set<SegmentWriter>();
let scheduled = false;

// Segment writers with index lines waiting.
const indexing = new Set<SegmentWriter>();

/** Writes every segment's waiting blocks now; `all`: their waiting index lines too. */
export function flushSegments(all = true): void {
  for (const writer of [...waiting]) writer.flush();
  if (all) for (const writer of [...indexing]) writer.flushIndex();
}

function atTurnEnd(): void {
  scheduled = false;
  flushSegments(false);
}

let made = 0;

const SESSION_END = '{"type":"session-end"';

/**
 * The segment files of one directory for this process: the blocks of every session of a turn are
 * gathered and written with one append to the segment, then one to its index (a line per block),
 * so a thousand sessions in a turn cost two writes instead of a thousand files. A block counts once
 * its index line is written, and a reader also scans what lies past the index (docs/format.md).
 *
 * A write that fails leaves that segment for good (its end may hold part of a block). Sessions
 * with nothing in a segment yet go to files of their own; the later blocks of the others wait in
 * memory (within the directory's outage budget; past it, their lines are dropped, their end kept,
 * and a `lost` line says so) until the directory's retry writes them to a new segment.
 */
export class SegmentWriter {
  readonly #host: SegmentHost;
  #fd = -1;
  #indexFd = -1;
  #size = 0;
  #blocks: Waiting[] = [];
  #chars = 0;
  /** An outage: blocks wait for `retry()`; `#held` bytes of the budget are taken. */
  #failing = false;
  #held = 0;
  /** Lines dropped since the last retry: each session's next block starts with a `lost` line. */
  readonly #dropped = new Map<SessionFile, Dropped>();
  /** Lines dropped in the whole outage, for the directory's report (a retry may fail again). */
  readonly #droppedInOutage = new Map<SessionFile, Dropped>();
  #lastError: unknown;
  /** Index lines of blocks already in the segment, not yet appended to its index. */
  #index = "";
  #indexTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: SegmentHost) {
    this.#host = host;
  }

  /** Adds a session's first block (its file is never made). */
  add(first: FirstBlock): void {
    first.file.inSegment = true;
    this.#wait({ first }, first.header.length + first.text.length);
  }

  /** Adds lines of a session whose first block went to a segment. False when they were dropped. */
  addMore(file: SessionFile, text: string, lines: number, calls: number): boolean {
    if (!this.#failing) {
      this.#wait({ more: { file, text, lines, calls } }, text.length);
      return true;
    }
    const bytes = Buffer.byteLength(text);
    if (this.#host.hold(bytes)) {
      this.#held += bytes;
      this.#blocks.push({ more: { file, text, lines, calls } });
      return true;
    }
    // Over the budget: the lines are dropped and counted, but not the session's end.
    const end = text.lastIndexOf(SESSION_END);
    const kept = end >= 0 && (end === 0 || text[end - 1] === "\n");
    if (kept) this.#blocks.push({ more: { file, text: text.slice(end), lines: 1, calls: 0 } });
    for (const tally of [this.#dropped, this.#droppedInOutage]) {
      const dropped = tally.get(file) ?? { lines: 0, calls: 0 };
      tally.set(file, dropped);
      dropped.lines += kept ? lines - 1 : lines;
      dropped.calls += calls;
    }
    return false;
  }

  /**
   * What sessions dropped in the current outage (for the directory's loss report); `andWaiting`:
   * the lines still waiting count too (the process exits before they could be written).
   */
  dropped(andWaiting = false): Array<{ id: string } & Dropped> {
    const all = new Map<SessionFile, Dropped>();
    for (const [file, { lines, calls }] of this.#droppedInOutage) all.set(file, { lines, calls });
    if (andWaiting) {
      for (const block of this.#blocks) {
        const { file, lines, calls } = "first" in block ? block.first : block.more;
        const dropped = all.get(file) ?? { lines: 0, calls: 0 };
        dropped.lines += lines;
        dropped.calls += calls;
        all.set(file, dropped);
      }
    }
    return [...all].map(([file, { lines, calls }]) => ({ id: file.id, lines, calls }));
  }

  /** The directory cannot be written at all: nothing waits any more. */
  discard(): void {
    this.#blocks = [];
    this.#chars = 0;
    this.#dropped.clear();
    this.#droppedInOutage.clear();
    this.#host.release(this.#held);
    this.#held = 0;
    waiting.delete(this);
  }

  #wait(block: Waiting, chars: number): void {
    this.#blocks.push(block);
    this.#chars += chars;
    waiting.add(this);
    if (this.#chars >= segmentLimits.flushChars) {
      this.flush();
    } else if (!scheduled) {
      scheduled = true;
      setImmediate(atTurnEnd);
    }
  }

  /** Writes the waiting blocks: the data, then their index lines. Nothing in an outage. */
  flush(): void {
    waiting.delete(this);
    if (this.#failing || this.#blocks.length === 0) return;
    const blocks = this.#blocks;
    this.#blocks = [];
    this.#chars = 0;
    let data = "";
    let index = "";
    try {
      if (this.#fd < 0 || this.#size >= segmentLimits.maxBytes) this.#start();
      let at = this.#size;
      for (const block of blocks) {
        const text =
          "first" in block
            ? block.first.header + block.first.text
            : `${moreLine(block.more.file.id)}\n${block.more.text}`;
        const bytes = Buffer.byteLength(text);
        const line: IndexLine =
          "first" in block
            ? { id: block.first.file.id, at, bytes, ...block.first.summary }
            : { id: block.more.file.id, at, bytes, more: true };
        data += text;
        index += `${JSON.stringify(line)}\n`;
        at += bytes;
      }
    } catch (error) {
      this.#fail(blocks, error);
      return;
    }
    if (!this.#append(this.#fd, data)) {
      this.#fail(blocks, this.#lastError);
      return;
    }
    this.#size += Buffer.byteLength(data);
    // The blocks are in the segment: readers find them past the index's end until it names them.
    this.#index += index;
    if (this.#index.length >= segmentLimits.indexChars) {
      this.flushIndex();
    } else if (this.#indexTimer === undefined) {
      indexing.add(this);
      this.#indexTimer = setTimeout(() => this.flushIndex(), segmentLimits.indexMs);
      this.#indexTimer.unref();
    }
  }

  /** Appends the waiting index lines to the index. */
  flushIndex(): void {
    indexing.delete(this);
    clearTimeout(this.#indexTimer);
    this.#indexTimer = undefined;
    const index = this.#index;
    this.#index = "";
    // An index that cannot be written leaves its segment (readers scan past the index).
    if (index !== "" && !this.#append(this.#indexFd, index)) this.#abandon();
  }

  /**
   * Tries again after an outage (the directory's retry): the blocks that waited go to a new
   * segment, after a `lost` line for each session that dropped lines. True when nothing waits.
   */
  retry(): boolean {
    if (!this.#failing) return true;
    this.#failing = false;
    const lost: Waiting[] = [];
    for (const [file, { lines, calls }] of this.#dropped) {
      const line = { type: "lost", lines, calls, reason: codeOf(this.#lastError), time: Date.now() };
      lost.push({ more: { file, text: `${JSON.stringify(line)}\n`, lines: 1, calls: 0 } });
    }
    this.#dropped.clear();
    this.#blocks = [...lost, ...this.#blocks];
    this.#host.release(this.#held);
    this.#held = 0;
    this.flush();
    return !this.#failing;
  }

  /** The outage is over: what it dropped, for the directory's report; the tally starts again. */
  endOutage(): Array<{ id: string } & Dropped> {
    const dropped = this.dropped();
    this.#droppedInOutage.clear();
    return dropped;
  }

  // Appends all of `text`; false (and the error kept) when the disk did not take it all.
  #append(fd: number, text: string): boolean {
    const failure = writeAll(fd, text);
    if (failure === undefined) return true;
    this.#lastError = failure.error;
    return false;
  }

  // The write failed: the segment is not used again. Sessions whose first block was in this write
  // go to files of their own, with their later lines; the others' blocks wait for `retry()`.
  #fail(blocks: Waiting[], error: unknown): void {
    this.#abandon();
    this.#lastError = error;
    const own: OwnFileBlock[] = [];
    const kept: Waiting[] = [];
    for (const block of blocks) {
      if ("first" in block) {
        block.first.file.inSegment = false;
        own.push(block.first);
      } else if (!block.more.file.inSegment) {
        own.push(block.more);
      } else {
        kept.push(block);
      }
    }
    this.#failing = true;
    this.#host.failed(error);
    // Whatever waits counts against the outage budget from now on (kept whole: it was accepted).
    for (const block of kept) {
      const bytes = Buffer.byteLength((block as { more: MoreBlock }).more.text);
      if (this.#host.hold(bytes)) this.#held += bytes;
    }
    this.#blocks = kept;
    if (own.length > 0) this.#host.ownFiles(own);
  }

  #start(): void {
    // The index lines of the segment being left go out first.
    this.flushIndex();
    this.#abandon();
    fsCalls.mkdir(this.#host.dir);
    const time = timePartOf(Date.now());
    for (;;) {
      const name = join(this.#host.dir, segmentName(time, process.pid, made++));
      try {
        this.#fd = fsCalls.create(`${name}${SEGMENT_EXTENSION}`);
      } catch (error) {
        if ((error as { code?: string }).code === "EEXIST") continue;
        throw error;
      }
      this.#indexFd = fsCalls.open(`${name}${SEGMENT_INDEX_EXTENSION}`);
      this.#size = 0;
      return;
    }
  }

  #abandon(): void {
    for (const fd of [this.#fd, this.#indexFd]) {
      if (fd < 0) continue;
      try {
        fsCalls.close(fd);
      } catch {
        // Already gone: nothing to release.
      }
    }
    this.#fd = this.#indexFd = -1;
  }
}
