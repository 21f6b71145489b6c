import { stat } from "node:fs/promises";
import { join } from "node:path";
import {
  indexEntry,
  type ScannedBlock,
  SEGMENT_EXTENSION,
  SEGMENT_INDEX_EXTENSION,
  scanBlocks,
  segmentPid,
} from "@runtrace/core/format";
import type { FollowedFile, OpenFile } from "./follow.js";

/** Index lines are about 200 bytes: a read of this many takes thousands of them. */
const INDEX_CHUNK = 1 << 20;

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
    this.pid = segmentPid(name);
    this.#open = open;
  }

  /** The segment's size now (`ENOENT` when it was removed). */
  async size(): Promise<number> {
    return (await stat(this.file)).size;
  }

  /**
   * The blocks its index named since the last call, in order. A line `indexEntry` cannot use (cut
   * off by a crash, or being written: read again next time) is skipped, as core's reader skips it.
   */
  async readIndex(): Promise<ScannedBlock[]> {
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
    const blocks: ScannedBlock[] = [];
    for (const text of texts) {
      const entry = indexEntry(text, segmentSize, this.covered);
      if (entry === undefined) continue;
      blocks.push({ id: entry.id, at: entry.at, bytes: entry.bytes, more: "more" in entry && entry.more });
      this.covered = entry.at + entry.bytes;
    }
    return blocks;
  }

  /**
   * The blocks past the last one the index names (its process died between writing a block and
   * its index line, or has not written the line yet), found as `scanBlocks` finds them.
   */
  async scanPastIndex(): Promise<ScannedBlock[]> {
    const size = await this.size();
    if (size <= this.covered) return [];
    return scanBlocks(await this.read(this.covered, size), this.covered);
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
