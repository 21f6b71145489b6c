import { join } from "node:path";
import { timePartOf } from "./ids.js";
import { fsCalls, type SessionFile } from "./open-files.js";
import {
  type FirstBlockSummary,
  type IndexLine,
  moreLine,
  SEGMENT_EXTENSION,
  SEGMENT_INDEX_EXTENSION,
} from "./segments.js";

/** When short sessions go to segment files. Internal: tests lower these. */
export const segmentLimits = {
  /**
   * Session files a process creates in a directory before its short sessions go to segments: a
   * script recording a few sessions keeps a file per session, a server recording one per request
   * soon appends them to a segment.
   */
  filesBefore: 64,
  /** A segment past this size is closed and the next block starts a new one. */
  maxBytes: 64 * 1024 * 1024,
  /** Blocks waiting in memory are written once this many characters wait (else at the turn's end). */
  flushChars: 64 * 1024,
};

/** A session's first block, waiting to be written. */
export interface FirstBlock {
  file: SessionFile;
  /** Its `session` line, with its newline. */
  header: string;
  /** Its other lines but the last, each with its newline. */
  text: string;
  /** Its `session-end` line, with its newline. */
  final: string;
  /** Lines and calls of `text`, for what a failed write reports. */
  lines: number;
  calls: number;
  summary: FirstBlockSummary;
}

type Waiting = { first: FirstBlock } | { file: SessionFile; more: string };

/** What goes to a session's own file when a segment failed: its first block, or later lines. */
export type OwnFileBlock = FirstBlock | { file: SessionFile; text: string };

/** What the segment writer needs of its directory's writer. */
export interface SegmentHost {
  readonly dir: string;
  /** Writes blocks a segment could not take to their sessions' own files, in order. */
  ownFiles(blocks: OwnFileBlock[]): void;
  /** A write failed: `lost` later blocks (lines of sessions already in a segment) are gone. */
  failed(error: unknown, lost: Array<{ id: string; lines: number }>): void;
}

// Segment writers with blocks waiting: written at the end of the turn, at `rt.flush()` and at exit.
const waiting = new Set<SegmentWriter>();
let scheduled = false;

/** Writes every segment's waiting blocks now. */
export function flushSegments(): void {
  for (const writer of [...waiting]) writer.flush();
}

function atTurnEnd(): void {
  scheduled = false;
  flushSegments();
}

let made = 0;

/**
 * The segment files of one directory for this process: blocks are gathered for a turn and written
 * with one append to the segment, then one to its index (a line per block), so a thousand short
 * sessions ending in one turn cost two writes instead of a thousand files. A block is written
 * whole or not at all from the reader's view: its index line follows it, and a reader scans what
 * lies past the index (docs/format.md).
 */
export class SegmentWriter {
  readonly #host: SegmentHost;
  #fd = -1;
  #indexFd = -1;
  #size = 0;
  #blocks: Waiting[] = [];
  #chars = 0;

  constructor(host: SegmentHost) {
    this.#host = host;
  }

  /** Adds a whole short session (its file never made). */
  add(first: FirstBlock): void {
    first.file.inSegment = true;
    this.#wait({ first }, first.header.length + first.text.length + first.final.length);
  }

  /** Adds lines of a session whose first block went to a segment (work it left running). */
  addMore(file: SessionFile, text: string): void {
    const more = `${moreLine(file.id)}\n${text}`;
    this.#wait({ file, more }, more.length);
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

  /** Writes the waiting blocks: the data, then their index lines. */
  flush(): void {
    waiting.delete(this);
    const blocks = this.#blocks;
    if (blocks.length === 0) return;
    this.#blocks = [];
    this.#chars = 0;
    let data = "";
    let index = "";
    try {
      if (this.#fd < 0 || this.#size >= segmentLimits.maxBytes) this.#start();
      let at = this.#size;
      for (const block of blocks) {
        const text =
          "first" in block ? block.first.header + block.first.text + block.first.final : block.more;
        const bytes = Buffer.byteLength(text);
        const line: IndexLine =
          "first" in block
            ? { id: block.first.file.id, at, bytes, ...block.first.summary }
            : { id: block.file.id, at, bytes, more: true };
        data += text;
        index += `${JSON.stringify(line)}\n`;
        at += bytes;
      }
    } catch (error) {
      this.#give(blocks, error);
      return;
    }
    if (!this.#append(this.#fd, data)) {
      this.#give(blocks, this.#lastError);
      return;
    }
    this.#size += Buffer.byteLength(data);
    // The blocks are in the segment: were the index lost, readers find them past its end.
    if (!this.#append(this.#indexFd, index)) this.#abandon();
  }

  #lastError: unknown;

  // Appends all of `text`; false (and the error kept) when the disk did not take it all.
  #append(fd: number, text: string): boolean {
    try {
      let rest: string | Buffer = text;
      let n = fsCalls.write(fd, rest);
      if (n === Buffer.byteLength(text)) return true;
      rest = Buffer.from(text).subarray(n);
      while (rest.length > 0) {
        n = fsCalls.write(fd, rest);
        if (n <= 0) throw Object.assign(new Error("the write took no bytes"), { code: "EIO" });
        rest = rest.subarray(n);
      }
      return true;
    } catch (error) {
      this.#lastError = error;
      return false;
    }
  }

  // The write failed: the segment is not used again (its end may hold part of a block). Sessions
  // whose first block waited go to files of their own, with any later lines they had; later
  // blocks of sessions already written to a segment are reported lost.
  #give(blocks: Waiting[], error: unknown): void {
    this.#abandon();
    const own: OwnFileBlock[] = [];
    const lost: Array<{ id: string; lines: number }> = [];
    for (const block of blocks) {
      if ("first" in block) {
        block.first.file.inSegment = false;
        own.push(block.first);
      } else if (!block.file.inSegment) {
        own.push({ file: block.file, text: block.more.slice(block.more.indexOf("\n") + 1) });
      } else {
        lost.push({ id: block.file.id, lines: block.more.split("\n").length - 2 });
      }
    }
    this.#host.failed(error, lost);
    if (own.length > 0) this.#host.ownFiles(own);
  }

  #start(): void {
    this.#abandon();
    fsCalls.mkdir(this.#host.dir);
    // Names sort by time, then process, then order within the process: readers take a session's
    // later blocks in that order.
    const base = `${timePartOf(Date.now())}-${process.pid}-`;
    for (;;) {
      const name = join(this.#host.dir, `${base}${String(made++).padStart(6, "0")}`);
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
