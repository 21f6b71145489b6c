import { stat } from "node:fs/promises";
import { ReadError } from "../errors.js";
import type { CallTree } from "../recording/tree.js";
import { sessionFileOf } from "./ids.js";
import { readSessionFile } from "./read-file.js";
import { readSegmentSession, type SegmentSession, segmentSessions } from "./segment-read.js";

/**
 * Where a stored session is: a file of its own (`<dir>/<id>.jsonl`), or blocks of segment files
 * (a session of a process that records many, see docs/format.md).
 */
export type SessionPlace =
  | { kind: "file"; id: string; file: string }
  | { kind: "segment"; id: string; file: string; session: SegmentSession };

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return false;
    return true; // there, but not readable: reading it says why
  }
}

/**
 * Where session `id` is stored in `dir`, or `undefined` when it is nowhere there. A file of its own
 * wins over segment blocks of the same id. `ReadError` for anything that is not a session id.
 */
export async function findSession(dir: string, id: string): Promise<SessionPlace | undefined> {
  const file = sessionFileOf(dir, id);
  if (await exists(file)) return { kind: "file", id, file };
  const session = (await segmentSessions(dir)).get(id);
  return session === undefined ? undefined : { kind: "segment", id, file: session.segment, session };
}

/** The tree of a stored session, wherever it is (see `findSession`). */
export function readSessionAt(place: SessionPlace): Promise<CallTree> {
  return place.kind === "file" ? readSessionFile(place.file) : readSegmentSession(place.session);
}

/**
 * A key that changes whenever what is stored of a session may have changed: for a segment session
 * its blocks (a segment's blocks never change; a session that left work running may get more).
 */
export function segmentKey(session: SegmentSession): string {
  return session.blocks.map((b) => `${b.segment}@${b.at}+${b.bytes}`).join(",");
}

/**
 * The tree of session `id` stored in `dir`, wherever it is there. `ReadError` when it is nowhere,
 * saying what was looked at.
 */
export async function readStoredSession(dir: string, id: string): Promise<CallTree> {
  const place = await findSession(dir, id);
  if (place === undefined) {
    throw new ReadError(
      `Cannot read session file ${sessionFileOf(dir, id)}: no such file, and no segment file in ${dir} holds session ${id}. Check the id with \`runtrace ls\`.`,
    );
  }
  return readSessionAt(place);
}
