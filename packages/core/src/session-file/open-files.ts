import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";

/**
 * The file-system calls the JSONL store makes. Internal: tests replace them to simulate a disk that
 * fails (ENOSPC for a while, EACCES, EROFS).
 */
export const fsCalls = {
  open: (file: string): number => openSync(file, "a"),
  /** Opens a new file for appending; EEXIST when it exists. */
  create: (file: string): number => openSync(file, "ax"),
  /** Writes `data` at the end of the file; returns how many bytes the disk took. */
  write: (fd: number, data: string | Buffer): number =>
    typeof data === "string" ? writeSync(fd, data) : writeSync(fd, data),
  close: (fd: number): void => closeSync(fd),
  mkdir: (dir: string): void => {
    mkdirSync(dir, { recursive: true });
  },
};

/**
 * Appends all of `data` (the usual case: one write of the whole string, no copy into a Buffer of
 * our own). When the disk refuses, what it did not take comes back with the error.
 */
export function writeAll(fd: number, data: string | Buffer): { error: unknown; rest: Buffer } | undefined {
  let rest: Buffer | undefined;
  try {
    if (typeof data === "string") {
      const n = fsCalls.write(fd, data);
      if (n === Buffer.byteLength(data)) return undefined;
      rest = Buffer.from(data).subarray(n);
    } else {
      rest = data;
    }
    while (rest.length > 0) {
      const n = fsCalls.write(fd, rest);
      if (n <= 0) throw Object.assign(new Error("the write took no bytes"), { code: "EIO" });
      rest = rest.subarray(n);
    }
    return undefined;
  } catch (error) {
    return { error, rest: rest ?? (typeof data === "string" ? Buffer.from(data) : data) };
  }
}

/** One session's file as the sink sees it. */
export class SessionFile {
  readonly path: string;
  readonly id: string;
  fd = -1;
  /** The session ended: the file is closed after each write. */
  ended = false;
  /** Its header could not be written nor kept: nothing of this session reaches the disk. */
  gone = false;
  /** Its header line, until the first append creates the file with it. */
  header: string | undefined = undefined;
  /** Its first lines went to a segment file: later ones follow them there (see segment-writer.ts). */
  inSegment = false;
  /** Bytes waiting for the directory to take writes again, in order. */
  held: Buffer[] = [];
  heldLines = 0;
  heldCalls = 0;
  /** Lines (and the calls they belonged to) dropped during the current outage. */
  droppedLines = 0;
  droppedCalls = 0;
  /** Dropped lines and calls already told in a `lost` line. */
  notedLines = 0;
  notedCalls = 0;

  constructor(path: string, id: string) {
    this.path = path;
    this.id = id;
  }
}

// Session files kept open between writes, so a session that writes every turn does not reopen its
// file each time; closed when the session ends. At most this many stay open: opening one more
// closes the one opened longest ago (a session left running forever cannot pin descriptors).
const MAX_OPEN = 256;
const openFiles = new Set<SessionFile>();

/** Closes a session's file (it is opened again by its next write). */
export function closeFile(file: SessionFile): void {
  if (file.fd < 0) return;
  openFiles.delete(file);
  try {
    fsCalls.close(file.fd);
  } catch {
    // Already gone: nothing to release.
  }
  file.fd = -1;
}

/** Counts a file just opened among those kept open, closing the oldest one past the limit. */
export function keepOpen(file: SessionFile): void {
  if (openFiles.size >= MAX_OPEN) closeFile(openFiles.values().next().value!);
  openFiles.add(file);
}
