import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { FollowedFile, OpenFile } from "./follow.js";

// The names and lines of docs/format.md ("Segment files"), as @runtrace/core writes them.
export const SEGMENT_EXTENSION = ".segment";
export const SEGMENT_INDEX_EXTENSION = ".segment-index";
/** How a later block of a session begins (`{"type":"more","id":...}`): not a line of the session. */
export const MORE_LINE_PREFIX = '{"type":"more"';

/** A block of a segment: whose lines it holds, where, and whether it is a later block (`more`). */
export interface FoundBlock {
  id: string;
  at: number;
  bytes: number;
  more: boolean;
}

/** `<YYYYMMDD-HHMMSS>-<pid>-<6-digit sequence>`: the pid says which process writes it. */
const SEGMENT_NAME = /^\d{8}-\d{6}-(\d+)-\d+$/;
/** Index lines are about 200 bytes: a read of this many takes thousands of them. */
const INDEX_CHUNK = 1 << 20;

function isOffset(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

export function isMissing(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "ENOENT";
}

/**
 * What a follower knows of one segment file and its index: how much of the index it has read, and
 * how much of the segment it has handed over for the session it follows. The index is read from
 * where the last read stopped, so a poll that finds it unchanged costs one `stat`.
 */
export class FollowedSegment {
  /** The file name without its extension (names sort in the order a process made them). */
  readonly name: string;
  readonly file: string;
  readonly indexFile: string;
  /** The writing process's pid as the name says it; `undefined` for a name of another form. */
  readonly pid: string | undefined;
  /** End of the last block the index names: the scan past the index starts here. */
  covered = 0;
  /** Bytes of this segment handed over for the followed session, through their last newline. */
  handed = 0;
  /** A later segment of the same process was listed: once its index is read again, it is done. */
  succeeded = false;
  /** Its index was read after a later segment of its process appeared: it will not grow. */
  final = false;
  /** Still worth reading for the session (false once known to be another process's, or removed). */
  followed = true;
  /** Index bytes taken, through the last complete line (a half-written line is read again). */
  #indexOffset = 0;
  /** The index's size at the last read: the same size again means nothing new. */
  #indexSize = 0;
  #handle: FollowedFile | undefined;
  readonly #open: OpenFile;

  constructor(dir: string, name: string, open: OpenFile) {
    this.name = name;
    this.file = join(dir, `${name}${SEGMENT_EXTENSION}`);
    this.indexFile = join(dir, `${name}${SEGMENT_INDEX_EXTENSION}`);
    this.pid = SEGMENT_NAME.exec(name)?.[1];
    this.#open = open;
  }

  /** The segment's size now (`ENOENT` when it was removed). */
  async size(): Promise<number> {
    return (await stat(this.file)).size;
  }

  /**
   * The blocks its index named since the last call, in order. An index line that does not parse
   * (cut off by a crash, or being written: read again next time) or points past the end of the
   * segment is skipped, as core's reader does.
   */
  async readIndex(): Promise<FoundBlock[]> {
    let size: number;
    try {
      size = (await stat(this.indexFile)).size;
    } catch (error) {
      if (isMissing(error)) return []; // the segment is made first, its index right after
      throw error;
    }
    if (size === this.#indexSize) return [];
    if (size < this.#indexSize) {
      // Replaced: read again from its start (blocks already handed over are not handed again).
      this.#indexOffset = 0;
      this.#indexSize = 0;
      this.covered = 0;
    }
    // Nothing is taken until all of it is read: a failed read is made again at the next poll.
    let offset = this.#indexOffset;
    const texts: string[] = [];
    const handle = await this.#open(this.indexFile);
    try {
      const buffer = Buffer.allocUnsafe(Math.min(INDEX_CHUNK, size - offset));
      while (offset < size) {
        const length = Math.min(buffer.length, size - offset);
        const { bytesRead } = await handle.read(buffer, 0, length, offset);
        if (bytesRead === 0) break;
        const nl = buffer.lastIndexOf(10, bytesRead - 1);
        if (nl < 0) {
          // No line end in a whole chunk is no index line: skip it; a short tail waits for its end.
          if (bytesRead === buffer.length) offset += bytesRead;
          break;
        }
        texts.push(...buffer.toString("utf8", 0, nl).split("\n"));
        offset += nl + 1;
      }
    } finally {
      await handle.close();
    }
    // The segment's size after the index's: every block an index line names is written before it.
    const segmentSize = texts.length > 0 ? await this.size() : 0;
    this.#indexOffset = offset;
    this.#indexSize = size;
    const blocks: FoundBlock[] = [];
    for (const text of texts) {
      const block = this.#usable(text, segmentSize);
      if (block === undefined) continue;
      blocks.push(block);
      this.covered = block.at + block.bytes;
    }
    return blocks;
  }

  #usable(text: string, segmentSize: number): FoundBlock | undefined {
    let line: { id?: unknown; at?: unknown; bytes?: unknown; more?: unknown } | null;
    try {
      line = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (line === null || typeof line !== "object" || typeof line.id !== "string") return undefined;
    const { at, bytes } = line;
    if (!isOffset(at) || !isOffset(bytes) || at < this.covered || at + bytes > segmentSize) return undefined;
    return { id: line.id, at, bytes, more: line.more === true };
  }

  /**
   * The blocks past the last one the index names (its process died between writing a block and
   * its index line): a `session` line begins a first block, a `more` line a later one, and a block
   * runs to the next one or the end of the segment (where a crash may have cut it off).
   */
  async scanPastIndex(): Promise<FoundBlock[]> {
    const size = await this.size();
    if (size <= this.covered) return [];
    const data = await this.read(this.covered, size);
    const blocks: FoundBlock[] = [];
    let pos = 0;
    while (pos < data.length) {
      const nl = data.indexOf(10, pos);
      const end = nl < 0 ? data.length : nl + 1;
      const head = headOf(data.toString("utf8", pos, end));
      if (head !== undefined) {
        blocks.push({ ...head, at: this.covered + pos, bytes: end - pos });
      } else if (blocks.length > 0) {
        blocks[blocks.length - 1]!.bytes += end - pos;
      }
      pos = end;
    }
    return blocks;
  }

  /** The segment's bytes from `from` to `to` (fewer when it is shorter). */
  async read(from: number, to: number): Promise<Buffer> {
    this.#handle ??= await this.#open(this.file);
    const data = Buffer.allocUnsafe(to - from);
    let filled = 0;
    while (filled < data.length) {
      const { bytesRead } = await this.#handle.read(data, filled, data.length - filled, from + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return data.subarray(0, filled);
  }

  /** Closes the segment if a read opened it (after each pass, so nothing stays open between polls). */
  async release(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => {});
  }
}

/** The id and kind of a line that begins a block, or `undefined` for any other line. */
function headOf(text: string): { id: string; more: boolean } | undefined {
  let head: { type?: unknown; id?: unknown } | null;
  try {
    head = JSON.parse(text);
  } catch {
    return undefined; // a line cut off by a crash: it stays in the block it ends
  }
  const type = head?.type;
  if ((type !== "session" && type !== "more") || typeof head?.id !== "string") return undefined;
  return { id: head.id, more: type === "more" };
}
