/**
 * What the segment writer (segment-writer.ts) gathers and hands back: its limits, the blocks that
 * wait to be written, and what it needs of its directory's writer.
 */
import type { SessionFile } from "./open-files.js";
import type { FirstBlockSummary } from "./segments.js";

/** When sessions go to segment files. Internal: tests lower these. */
export const segmentLimits = {
  /**
   * Session files a process creates in a directory before its new sessions go to segments: a
   * script recording a few sessions keeps a file per session, a server recording one per request
   * soon appends them to a segment.
   */
  filesBefore: 64,
  /** A segment past this size is closed and the next block starts a new one. */
  maxBytes: 64 * 1024 * 1024,
  /** Blocks waiting in memory are written once this many characters wait (else at the turn's end). */
  flushChars: 64 * 1024,
  /**
   * Index lines wait at most this long, or until `indexChars` of them wait (or `rt.flush()`, or the
   * exit): readers find the blocks past the index by scanning, so only a lookup's speed waits on it.
   */
  indexMs: 200,
  indexChars: 16 * 1024,
};

/** A session's first block, waiting to be written. */
export interface FirstBlock {
  file: SessionFile;
  /** Its `session` line, with its newline. */
  header: string;
  /** Its other lines, each with its newline (its `session-end` line last, when it ended). */
  text: string;
  /** Lines and calls of `text`, for what a failed write reports. */
  lines: number;
  calls: number;
  summary: FirstBlockSummary;
}

/** Lines of a session whose first block is in a segment already. */
export interface MoreBlock {
  file: SessionFile;
  /** Its lines, each with its newline (without the `more` line). */
  text: string;
  lines: number;
  calls: number;
}

export type Waiting = { first: FirstBlock } | { more: MoreBlock };

/** What goes to a session's own file when a segment failed: its first block, or later lines. */
export type OwnFileBlock = FirstBlock | MoreBlock;

/** What the segment writer needs of its directory's writer. */
export interface SegmentHost {
  readonly dir: string;
  /** Writes blocks a segment could not take to their sessions' own files, in order. */
  ownFiles(blocks: OwnFileBlock[]): void;
  /** A write failed: the directory's outage begins (or goes on); it calls `retry()` later. */
  failed(error: unknown): void;
  /** Takes `bytes` of the directory's memory budget for lines waiting in an outage; false when spent. */
  hold(bytes: number): boolean;
  /** Gives back what `hold` took. */
  release(bytes: number): void;
}

/** What a session dropped during an outage, told in a `lost` line once the segment takes writes. */
export interface Dropped {
  lines: number;
  calls: number;
}
