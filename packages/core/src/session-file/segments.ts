import { join } from "node:path";

/**
 * Segment files: where a process that records many sessions (one per request) appends them instead
 * of creating a file for each, since creating a file costs more than everything else a short
 * session does. docs/format.md ("Segment files") is the format; this file is its names and lines,
 * read by segment-read.ts and written by segment-writer.ts.
 *
 * A segment `<name>.segment` holds blocks of lines, each exactly as they would stand in the
 * session's own file: a session's first block begins with its `session` line; each later write of
 * the same session is a block of its own that begins with a `more` line, so the blocks of sessions
 * running at once interleave. Its index `<name>.segment-index` has one line per block, written
 * after the block.
 */
export const SEGMENT_EXTENSION = ".segment";
export const SEGMENT_INDEX_EXTENSION = ".segment-index";

/** The line that begins a later block of a session already in a segment. */
export interface MoreLine {
  type: "more";
  id: string;
}

/** Where a block is in its segment. */
export interface SegmentBlock {
  /** Byte offset of its first byte. */
  at: number;
  /** Its length in bytes, its last newline included. */
  bytes: number;
}

/** What an index line says of a session's first block: enough to list it without reading it. */
export interface FirstBlockSummary {
  name: string;
  start: number;
  end?: number;
  status: string;
  calls: number;
  errors: number;
}

/** One line of a segment's index. */
export type IndexLine = { id: string } & SegmentBlock & ({ more: true } | FirstBlockSummary);

export function moreLine(id: string): string {
  return JSON.stringify({ type: "more", id } satisfies MoreLine);
}

/** The segment's name (`<name>.segment`) without its extension, or `undefined` for another file. */
export function segmentNameOf(file: string): string | undefined {
  return file.endsWith(SEGMENT_EXTENSION) ? file.slice(0, -SEGMENT_EXTENSION.length) : undefined;
}

export function segmentFile(dir: string, name: string): string {
  return join(dir, `${name}${SEGMENT_EXTENSION}`);
}

export function segmentIndexFile(segment: string): string {
  return `${segment.slice(0, -SEGMENT_EXTENSION.length)}${SEGMENT_INDEX_EXTENSION}`;
}
