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

/** How every `more` line begins (what `moreLine` writes). */
const MORE_LINE_PREFIX = '{"type":"more"';

/** Whether a line of a segment is a `more` line, which begins a later block and is no line of the session. */
export function isMoreLine(line: string): boolean {
  return line.startsWith(MORE_LINE_PREFIX);
}

/**
 * A segment's name without its extension: `<YYYYMMDD-HHMMSS>-<pid>-<6-digit sequence>`. Names sort by
 * time, then process, then order within the process: readers take a session's later blocks in that order.
 */
export function segmentName(timePart: string, pid: number, sequence: number): string {
  return `${timePart}-${pid}-${String(sequence).padStart(6, "0")}`;
}

const SEGMENT_NAME = /^\d{8}-\d{6}-(\d+)-\d+$/;

/** The pid of the process that writes the segment `name` (see `segmentName`); `undefined` for a name of another form. */
export function segmentPid(name: string): string | undefined {
  return SEGMENT_NAME.exec(name)?.[1];
}

/** A finite number, not negative: what an offset, a length or an epoch time in an index line is. */
export function isOffset(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * The block a line of a segment's index names, when it can be used: the line parses, names a
 * session, and its block lies inside the segment's first `size` bytes, at or past `covered` (the end
 * of the blocks named before it). Anything else (the last line, cut off by a crash or still being
 * written; a line naming what is not in the segment yet) is skipped by every reader.
 */
export function indexEntry(text: string, size: number, covered: number): IndexLine | undefined {
  let entry: Partial<IndexLine> | null;
  try {
    entry = JSON.parse(text) as Partial<IndexLine> | null;
  } catch {
    return undefined;
  }
  if (entry === null || typeof entry !== "object" || typeof entry.id !== "string") return undefined;
  const { at, bytes } = entry;
  if (!isOffset(at) || !isOffset(bytes) || at < covered || at + bytes > size) return undefined;
  return entry as IndexLine;
}

/** A block found by reading a segment rather than its index. */
export interface ScannedBlock extends SegmentBlock {
  id: string;
  /** A later block of its session (it begins with a `more` line). */
  more: boolean;
}

/**
 * The blocks in `data`, bytes of a segment from offset `base` on that its index does not name yet
 * (its process died, or has not written the index line yet): a `session` line begins a first block,
 * a `more` line a later one, and a block runs to the next one or the end (where a crash may have
 * cut it off). Bytes before the first such line belong to no block found here.
 */
export function scanBlocks(data: Buffer, base: number): ScannedBlock[] {
  const blocks: ScannedBlock[] = [];
  let pos = 0;
  while (pos < data.length) {
    const nl = data.indexOf(10, pos);
    const end = nl < 0 ? data.length : nl + 1;
    let head: { type?: unknown; id?: unknown } | null;
    try {
      head = JSON.parse(data.toString("utf8", pos, end)) as { type?: unknown; id?: unknown } | null;
    } catch {
      head = null; // a line cut off by a crash: it stays in the block it ends
    }
    const type = head?.type;
    if ((type === "session" || type === "more") && typeof head?.id === "string") {
      blocks.push({ id: head.id, more: type === "more", at: base + pos, bytes: end - pos });
    } else if (blocks.length > 0) {
      blocks[blocks.length - 1]!.bytes += end - pos;
    }
    pos = end;
  }
  return blocks;
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
