import { open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ReadError } from "../errors.js";
import { mapPooled } from "../internal/pool.js";
import type { CallTree } from "../recording/tree.js";
import { SessionReader } from "./reader.js";
import {
  type FirstBlockSummary,
  type IndexLine,
  indexEntry,
  isMoreLine,
  isOffset,
  type ScannedBlock,
  SEGMENT_EXTENSION,
  type SegmentBlock,
  scanBlocks,
  segmentIndexFile,
} from "./segments.js";

/** A session stored in a segment file: its blocks in file order, and what the index says of it. */
export interface SegmentSession {
  id: string;
  /** The segment file holding its first block. */
  segment: string;
  /** Its blocks, in the order they were written (later ones may be in a later segment). */
  blocks: Array<SegmentBlock & { segment: string }>;
  /**
   * What the index says of its first block; `undefined` when that block was found past the end of
   * the index (its process was killed between writing the block and its index line).
   */
  summary: FirstBlockSummary | undefined;
}

function summaryOf(line: IndexLine): FirstBlockSummary | undefined {
  if ("more" in line) return undefined;
  const { name, start, end, status, calls, errors } = line;
  if (typeof name !== "string" || typeof status !== "string" || !isOffset(start)) return undefined;
  return { name, start, end, status, calls: calls ?? 0, errors: errors ?? 0 };
}

async function readIndex(segment: string): Promise<string> {
  try {
    return await readFile(segmentIndexFile(segment), "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return "";
    throw error;
  }
}

/** The blocks of one segment: those its index names, then those found past the last of them. */
async function readSegment(segment: string): Promise<Array<IndexLine | ScannedBlock>> {
  const handle = await open(segment, "r");
  try {
    const size = (await handle.stat()).size;
    const entries: Array<IndexLine | ScannedBlock> = [];
    let covered = 0;
    for (const text of (await readIndex(segment)).split("\n")) {
      const line = text.length === 0 ? undefined : indexEntry(text, size, covered);
      if (line === undefined) continue;
      entries.push(line);
      covered = line.at + line.bytes;
    }
    if (covered < size) {
      const rest = Buffer.alloc(size - covered);
      await handle.read(rest, 0, rest.length, covered);
      entries.push(...scanBlocks(rest, covered));
    }
    return entries;
  } finally {
    await handle.close();
  }
}

/** The segment files of `dir`, oldest first (their names start with the time they were made). */
export function segmentFiles(names: readonly string[], dir: string): string[] {
  return names
    .filter((name) => name.endsWith(SEGMENT_EXTENSION))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * Every session stored in the segment files of `dir`, by id. A segment that cannot be read is
 * reported through `onProblem` and skipped.
 */
export async function segmentSessions(
  dir: string,
  names?: readonly string[],
  onProblem?: (segment: string, problem: string) => void,
): Promise<Map<string, SegmentSession>> {
  let listed = names;
  if (listed === undefined) {
    try {
      listed = await readdir(dir);
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return new Map();
      throw new ReadError(`Cannot list sessions in ${dir}: ${String(error)}`, { cause: error });
    }
  }
  const segments = segmentFiles(listed, dir);
  const read = await mapPooled(segments, 8, (segment) =>
    readSegment(segment).catch((error: unknown) => {
      // Removed between listing and reading: simply not there any more.
      if ((error as { code?: string }).code !== "ENOENT") onProblem?.(segment, String(error));
      return [];
    }),
  );
  const sessions = new Map<string, SegmentSession>();
  segments.forEach((segment, i) => {
    for (const entry of read[i]!) {
      const block = { segment, at: entry.at, bytes: entry.bytes };
      const known = sessions.get(entry.id);
      const more = "more" in entry && entry.more === true;
      if (known !== undefined) {
        known.blocks.push(block);
      } else if (!more) {
        sessions.set(entry.id, {
          id: entry.id,
          segment,
          blocks: [block],
          summary: "name" in entry ? summaryOf(entry) : undefined,
        });
      }
      // A later block whose first block is gone (its segment removed) is left out.
    }
  });
  return sessions;
}

async function readBlock(block: SegmentBlock & { segment: string }): Promise<string> {
  const handle = await open(block.segment, "r");
  try {
    const data = Buffer.alloc(block.bytes);
    const { bytesRead } = await handle.read(data, 0, block.bytes, block.at);
    return data.toString("utf8", 0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Reads a session stored in segment files into its tree, as `readSessionFile` reads a session's
 * own file: its blocks in order (without their `more` lines), a cut-off last line skipped, a
 * session with no end whose writer is gone `interrupted`.
 */
export async function readSegmentSession(session: SegmentSession): Promise<CallTree> {
  const reader = new SessionReader(`${session.segment} (session ${session.id})`);
  let rest = "";
  try {
    for (const block of session.blocks) {
      // A block ends with a newline unless a crash cut it off: what is left of it is a line of its own.
      if (rest.length > 0) reader.push(rest);
      const text = await readBlock(block);
      let start = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
        const line = text.slice(start, nl);
        start = nl + 1;
        if (isMoreLine(line)) continue;
        reader.push(line);
      }
      rest = text.slice(start);
    }
  } catch (error) {
    throw new ReadError(`Cannot read session ${session.id} from ${session.segment}: ${String(error)}.`, {
      cause: error,
    });
  }
  reader.pushLast(rest);
  const tree = reader.tree;
  if (tree === undefined) {
    throw new ReadError(`${session.segment} has no session line for ${session.id} where its index says.`);
  }
  if (reader.writerGone) reader.interrupt();
  return tree;
}
