import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { ReadError } from "../errors.js";
import { mapPooled } from "../internal/pool.js";
import { isStatus } from "../recording/status.js";
import { isSessionId, sessionIdOfFile } from "./ids.js";
import { readSessionFile } from "./read-file.js";
import { readSegmentSession, type SegmentSession, segmentSessions } from "./segment-read.js";
import { byStartDescending, type SessionSummary, summarizeSession, unreadableSummary } from "./summary.js";

/** A `.jsonl` file of a sessions directory. */
export interface SessionFileEntry {
  /** The session id its name stands for. */
  id: string;
  file: string;
  /** Set when the name is not a session id: such a file cannot be opened by id. */
  problem?: string;
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw new ReadError(`Cannot list sessions in ${dir}: ${String(error)}`, { cause: error });
  }
}

/** The session files in `dir`, by name; none when `dir` does not exist. */
export async function sessionFiles(dir: string, listed?: readonly string[]): Promise<SessionFileEntry[]> {
  const names = listed ?? (await namesIn(dir));
  const entries: SessionFileEntry[] = [];
  for (const name of names) {
    const id = sessionIdOfFile(name);
    if (id === undefined) continue;
    const entry: SessionFileEntry = { id, file: join(dir, name) };
    if (!isSessionId(id)) {
      entry.problem = `the file name ${JSON.stringify(name)} is not a session id (letters, digits, ".", "_", "-"); rename it to open it`;
    }
    entries.push(entry);
  }
  return entries;
}

/** Reads a file whole and summarises it; a file that cannot be read is listed with its problem. */
async function readSummary(entry: SessionFileEntry): Promise<SessionSummary> {
  try {
    return summarizeSession(await readSessionFile(entry.file), { id: entry.id, file: entry.file });
  } catch (error) {
    return unreadableSummary(entry.id, entry.file, error instanceof Error ? error.message : String(error));
  }
}

/**
 * The `runtrace ls` line of a session in segment files: what its index says of a session written
 * whole at once, else (one written over several turns, still running, or found past the index)
 * what reading it says.
 */
async function segmentSummary(session: SegmentSession): Promise<SessionSummary> {
  const { id, segment, summary } = session;
  if (summary !== undefined && session.blocks.length === 1 && summary.status !== "running") {
    const { name, start, end, status, calls, errors } = summary;
    return {
      id,
      name,
      status: isStatus(status) ? status : "error",
      start,
      end,
      calls,
      errors,
      file: segment,
    };
  }
  try {
    return summarizeSession(await readSegmentSession(session), { id, file: segment });
  } catch (error) {
    return unreadableSummary(id, segment, error instanceof Error ? error.message : String(error));
  }
}

/**
 * Every session of `dir`, newest first, a few files at a time (a directory may hold thousands).
 * `summaryOf` says what a file holds (a reader with a cache passes its own; `undefined`: the file
 * went away meanwhile and is left out); by default each file is read whole. A file whose name is
 * not a session id is listed with its problem, unread.
 */
export async function listSessionFiles(
  dir: string,
  summaryOf: (entry: SessionFileEntry) => Promise<SessionSummary | undefined> = readSummary,
): Promise<SessionSummary[]> {
  const names = await namesIn(dir);
  const files = await sessionFiles(dir, names);
  const summaries = await mapPooled(files, 8, (entry) =>
    entry.problem === undefined
      ? summaryOf(entry)
      : Promise.resolve(unreadableSummary(entry.id, entry.file, entry.problem)),
  );
  // A session with a file of its own is read from it, whatever segments say of the same id.
  const own = new Set(files.map((entry) => entry.id));
  const segmented = [...(await segmentSessions(dir, names)).values()].filter((s) => !own.has(s.id));
  summaries.push(...(await mapPooled(segmented, 8, segmentSummary)));
  return summaries.filter((summary) => summary !== undefined).sort(byStartDescending);
}
