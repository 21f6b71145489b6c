import { open, readdir, stat } from "node:fs/promises";
import {
  isMoreLine,
  type ScannedBlock,
  SEGMENT_EXTENSION,
  SEGMENT_INDEX_EXTENSION,
} from "@runtrace/core/format";
import type { FollowerOptions, OpenFile } from "./follow.js";
import { FollowedSegment, isMissing } from "./followed-segment.js";
import { WatchAndPoll } from "./watch-poll.js";

const openForReading: OpenFile = (file) => open(file, "r");

/** Lines are handed over once this many characters wait (else at the end of each segment read). */
const CHUNK_CHARS = 1 << 20;
/**
 * A directory's mtime may tick coarsely (a jiffy on Linux, seconds elsewhere): a file made just
 * after a listing can leave it unchanged, so the directory is listed again until its mtime is
 * this much older than the last listing.
 */
const COARSE_MTIME_MS = 2000;
/** And listed at least this often whatever its mtime says (file systems that do not keep it). */
const RELIST_MS = 10_000;

/**
 * Follows one session stored in segment files (docs/format.md, "Segment files") as its process
 * appends blocks to them, with the surface of `FileFollower`: `onLines` gets the session's lines
 * in order, without the `more` lines that begin its later blocks, each block once.
 *
 * Each segment's index is read from where the last read stopped and only the blocks of `id` are
 * read from the segment. New segments (a process starts one past 64 MiB) are found by listing the
 * directory when its mtime changed; once a later segment of the same process exists, an earlier
 * one is read a last time and then left alone. A poll that finds nothing new costs a `stat` of the
 * directory and one of each index still written to.
 *
 * Blocks past the end of an index (the process was killed between writing a block and its index
 * line) are read by `readPastIndex()`, to be called once the writer is known to be gone.
 *
 * @example
 * const follower = new SegmentFollower(dir, id, { onLines: (lines) => live.push(lines) });
 * await follower.start();
 * // the writer died: take what it wrote without indexing it, then the cut-off line
 * await follower.readPastIndex();
 * live.markInterrupted(follower.partialLine);
 */
export class SegmentFollower {
  readonly dir: string;
  readonly id: string;
  readonly #options: FollowerOptions;
  readonly #open: OpenFile;
  /** Segments that may hold blocks of the session, in name order (their writing order). */
  #segments: FollowedSegment[] = [];
  /** Every segment name listed, followed or not, so a left-out one is not taken up again. */
  readonly #seen = new Set<string>();
  /** The segment holding the session's first block, once read. */
  #first: FollowedSegment | undefined;
  /** What followed the last newline of the last block read, and which block that was. */
  #rest: { text: string; segment: FollowedSegment; at: number } | undefined;
  #pending: string[] = [];
  #pendingChars = 0;
  #listedMtime = -1;
  #listedAt = 0;
  readonly #watching: WatchAndPoll;
  #reading: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #queuedPastIndex = false;
  #closed = false;

  constructor(dir: string, id: string, options: FollowerOptions) {
    this.dir = dir;
    this.id = id;
    this.#options = options;
    this.#open = options.open ?? openForReading;
    this.#watching = new WatchAndPoll(dir, {
      read: () => this.read(),
      onTick: () => {
        try {
          this.#options.onTick?.();
        } catch (error) {
          this.#options.onError?.(error);
        }
      },
      concerns: (name) => this.#concerns(name),
      pollMs: options.pollMs,
    });
  }

  /** Reads what the segments hold now, then follows them until `close()`. */
  async start(): Promise<void> {
    await this.read();
    this.watch();
  }

  /**
   * What followed the last newline of the session's last block: a line a crash cut off at the end
   * of a segment (found by `readPastIndex()`), or "".
   */
  get partialLine(): string {
    return this.#rest?.text ?? "";
  }

  /** Starts reading new blocks as they come (a watch on the directory, and a poll). */
  watch(): void {
    if (!this.#closed) this.#watching.start();
  }

  /** Stops following (nothing stays open: `read()` still reads on from where it was). */
  unwatch(): void {
    this.#watching.stop();
  }

  /**
   * Reads the blocks indexed since the last read (also called by the watcher and the poll);
   * resolves once every block indexed when it was called has been handed over. Never rejects:
   * errors go to `onError`.
   */
  read(): Promise<void> {
    return this.#request(false);
  }

  /**
   * Reads as `read()` does, then the blocks past the end of each index: those a process killed
   * between writing a block and its index line left unindexed, the last maybe cut off (what
   * follows its last newline is then `partialLine`). Call it once the writer is gone (a live
   * session's writer-death check, before marking the session interrupted): while the writer lives,
   * the bytes past an index may be a block still being written.
   */
  readPastIndex(): Promise<void> {
    return this.#request(true);
  }

  /** Stops watching; files a read has open are closed as soon as it stops. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.unwatch();
  }

  #request(pastIndex: boolean): Promise<void> {
    if (this.#reading === undefined) {
      this.#reading = this.#drain(pastIndex).finally(() => {
        this.#reading = undefined;
      });
      return this.#reading;
    }
    // A read is under way and may have looked at an index before the latest lines came: one more
    // read after it, shared by every caller meanwhile (past the index if any of them asked).
    this.#queuedPastIndex ||= pastIndex;
    this.#queued ??= this.#reading.then(() => {
      this.#queued = undefined;
      const past = this.#queuedPastIndex;
      this.#queuedPastIndex = false;
      return this.#request(past);
    });
    return this.#queued;
  }

  /** A watch event worth a read: a new segment, or a line added to an index still followed. */
  #concerns(name: string | Buffer | null): boolean {
    if (name === null) return true; // some platforms do not say which file changed
    const file = String(name);
    if (file.endsWith(SEGMENT_INDEX_EXTENSION)) {
      const base = file.slice(0, -SEGMENT_INDEX_EXTENSION.length);
      return !this.#seen.has(base) || this.#segments.some((s) => s.name === base && !s.final);
    }
    // A known segment grows before its index: the index's event is the one to read on.
    return file.endsWith(SEGMENT_EXTENSION) && !this.#seen.has(file.slice(0, -SEGMENT_EXTENSION.length));
  }

  async #drain(pastIndex: boolean): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#list();
    } catch (error) {
      if (!this.#closed) this.#options.onError?.(error);
      return;
    }
    for (const segment of [...this.#segments]) {
      if (this.#closed) return;
      if (!segment.followed || (segment.final && !pastIndex)) continue;
      let shrank = false;
      try {
        shrank = await this.#follow(segment, pastIndex);
      } catch (error) {
        // Removed: nothing more comes from it.
        if (isMissing(error)) segment.followed = false;
        else if (!this.#closed) this.#options.onError?.(error);
      } finally {
        await segment.release();
      }
      if (!this.#hand()) return;
      if (shrank) {
        this.#reset();
        return this.#drain(pastIndex);
      }
    }
  }

  /** Reads a segment's new blocks of the session. True when it shrank below what was read of it. */
  async #follow(segment: FollowedSegment, pastIndex: boolean): Promise<boolean> {
    if (!segment.final) {
      if (segment.handed > 0 && (await segment.size()) < segment.handed) return true;
      // Seen before this read: the index is whole once read now (its process moved on after it).
      const done = segment.succeeded;
      for (const block of await segment.readIndex()) await this.#take(segment, block);
      if (done) segment.final = true;
    }
    if (pastIndex && segment.followed) {
      for (const block of await segment.scanPastIndex()) await this.#take(segment, block);
    }
    return false;
  }

  /** Takes the lines of a block of the session not handed over yet (every other block is left). */
  async #take(segment: FollowedSegment, block: ScannedBlock): Promise<void> {
    if (block.id !== this.id || this.#closed) return;
    if (this.#first === undefined) {
      if (block.more) return; // a later block whose first block is gone, as core's reader leaves it
      this.#found(segment);
    }
    const end = block.at + block.bytes;
    if (end <= segment.handed) return; // handed over already (found past the index, then indexed)
    // A block read in part before (past the index) goes on from its last newline.
    const from = Math.max(block.at, segment.handed);
    const rest = this.#rest;
    if (rest !== undefined && !(rest.segment === segment && rest.at === block.at)) {
      // A later block: the one before was cut off by a crash, and its last bytes are a line.
      this.#push(rest.text);
    }
    this.#rest = undefined;
    const data = await segment.read(from, end);
    const nl = data.lastIndexOf(10);
    if (nl >= 0) {
      for (const line of data.toString("utf8", 0, nl).split("\n")) {
        if (!isMoreLine(line)) this.#push(line);
      }
      segment.handed = from + nl + 1;
    }
    if (nl + 1 < data.length) this.#rest = { text: data.toString("utf8", nl + 1), segment, at: block.at };
  }

  /** The first block is in `segment`: the later ones can only be in it or later segments of its process. */
  #found(segment: FollowedSegment): void {
    this.#first = segment;
    for (const other of this.#segments) other.followed &&= this.#mayHold(other);
  }

  #mayHold(segment: FollowedSegment): boolean {
    const first = this.#first;
    if (first === undefined || segment === first) return true;
    if (segment.name < first.name) return false;
    return first.pid === undefined || segment.pid === undefined || segment.pid === first.pid;
  }

  /** Lists the directory when its mtime says it changed: new segments, and which ones are done. */
  async #list(): Promise<void> {
    let mtime: number;
    try {
      mtime = (await stat(this.dir)).mtimeMs;
    } catch (error) {
      if (isMissing(error)) return; // nothing written yet
      throw error;
    }
    const now = Date.now();
    if (
      mtime === this.#listedMtime &&
      this.#listedAt - mtime > COARSE_MTIME_MS &&
      now - this.#listedAt < RELIST_MS
    ) {
      return;
    }
    const names = (await readdir(this.dir))
      .filter((name) => name.endsWith(SEGMENT_EXTENSION))
      .map((name) => name.slice(0, -SEGMENT_EXTENSION.length))
      .sort();
    this.#listedMtime = mtime;
    this.#listedAt = now;
    const listed = new Set(names);
    const lastOfProcess = new Map<string, string>();
    for (const name of names) {
      if (!this.#seen.has(name)) {
        this.#seen.add(name);
        const segment = new FollowedSegment(this.dir, name, this.#open);
        segment.followed = this.#mayHold(segment);
        if (segment.followed) this.#segments.push(segment);
      }
    }
    this.#segments = this.#segments.filter((segment) => segment.followed && listed.has(segment.name));
    this.#segments.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const segment of this.#segments) {
      if (segment.pid !== undefined) lastOfProcess.set(segment.pid, segment.name);
    }
    for (const segment of this.#segments) {
      // A process writes one segment at a time: it made the later one after its last index line here.
      const last = segment.pid === undefined ? segment.name : lastOfProcess.get(segment.pid);
      if (last !== segment.name) segment.succeeded = true;
    }
  }

  #push(line: string): void {
    this.#pending.push(line);
    this.#pendingChars += line.length;
    if (this.#pendingChars >= CHUNK_CHARS) this.#hand();
  }

  /** Hands the waiting lines over; false when `onLines` threw (reported) or the follower closed. */
  #hand(): boolean {
    if (this.#closed) return false;
    const lines = this.#pending;
    if (lines.length === 0) return true;
    this.#pending = [];
    this.#pendingChars = 0;
    try {
      this.#options.onLines(lines);
      return true;
    } catch (error) {
      this.#options.onError?.(error);
      return false;
    }
  }

  /** A segment shrank: what was read is not what it holds now. Everything is read again. */
  #reset(): void {
    this.#segments = [];
    this.#seen.clear();
    this.#first = undefined;
    this.#rest = undefined;
    this.#listedMtime = -1;
    this.#options.onReset?.();
  }
}
