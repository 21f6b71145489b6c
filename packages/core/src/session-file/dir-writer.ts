import { logger } from "../recording/logger.js";
import { closeFile, fsCalls, keepOpen, SessionFile, writeAll } from "./open-files.js";
import { type OwnFileBlock, segmentLimits } from "./segment-blocks.js";
import { SegmentWriter } from "./segment-writer.js";
import type { FirstBlockSummary } from "./segments.js";
import { ADVICE, codeOf, count, PERMANENT } from "./write-errors.js";

/** How the store rides out a directory that stops taking writes. Internal: tests shorten the waits. */
export const outageLimits = {
  /** Lines kept in memory, per directory, while it cannot be written; newer lines are dropped. */
  heldBytes: 4 * 1024 * 1024,
  /** The first retry comes this long after the failure; each failed retry doubles the wait. */
  firstRetryMs: 1000,
  maxRetryMs: 30_000,
};

const inOutage = new Set<DirWriter>();

/**
 * Writes the session files of one directory. A write that fails starts an outage: lines are kept in
 * memory (up to `outageLimits.heldBytes` for the directory, then dropped and counted), the directory
 * is tried again after a back-off, and once it takes writes the kept lines go out in order, so a
 * session that ended during the outage still reads back with its real end. One warning says the
 * outage began; one more, only if something was dropped, says what was lost and in which sessions.
 */
export class DirWriter {
  readonly dir: string;
  #dirMade = false;
  #broken = false;
  #failing = false;
  #code = "";
  #since = 0;
  #delay = 0;
  #retryAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #heldBytes = 0;
  // Files with held lines or dropped lines in the current outage, in the order they first failed.
  readonly #touched = new Set<SessionFile>();
  /** Session files this process created here: past `segmentLimits.filesBefore`, new sessions go to segments. */
  #filesMade = 0;
  #segments: SegmentWriter | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * A session's file, created with its header line by its first `append`: a session that starts
   * and ends within one batch costs one create, one write and one close.
   */
  open(path: string, id: string, header: string): SessionFile {
    const file = new SessionFile(path, id);
    file.header = `${header}\n`;
    return file;
  }

  /**
   * Appends lines (`lines` of them, for `calls` calls). `final` (the session's last line) is kept
   * even when the memory budget of an outage is spent. Returns false when the lines were dropped.
   * `whole`: these lines are the whole session with nothing left running, so a session whose file
   * is not made yet may go to a segment file instead (see segment-writer.ts).
   */
  append(
    file: SessionFile,
    text: string,
    lines: number,
    calls: number,
    final?: string,
    summary?: FirstBlockSummary,
  ): boolean {
    if (this.#broken) {
      file.gone = true; // nothing of it will ever be written: its writer stops making lines
      return false;
    }
    if (file.inSegment) {
      const more = final === undefined ? text : text + final;
      return this.#segmentWriter().addMore(file, more, lines + (final === undefined ? 0 : 1), calls);
    }
    const header = file.header;
    if (
      summary !== undefined &&
      header !== undefined &&
      !this.#failing &&
      this.#filesMade >= segmentLimits.filesBefore
    ) {
      file.header = undefined;
      const all = final === undefined ? text : text + final;
      this.#segmentWriter().add({
        file,
        header,
        text: all,
        lines: lines + (final === undefined ? 0 : 1),
        calls,
        summary,
      });
      return true;
    }
    if (file.gone) {
      this.#drop(file, lines, calls);
      return false;
    }
    if (this.#failing && Date.now() >= this.#retryAt) this.retry();
    let data = final === undefined ? text : text + final;
    if (header !== undefined) {
      file.header = undefined;
      data = header + data;
      lines++;
    }
    let rest: Buffer;
    let started = false;
    if (!this.#failing) {
      const left = this.#write(file, data);
      // A file made (its header on disk, whatever else the disk took) counts towards segments.
      if (header !== undefined && (left === undefined || left.length < Buffer.byteLength(data)))
        this.#filesMade++;
      if (left === undefined) {
        if (file.ended) closeFile(file);
        return true;
      }
      if (this.#broken) {
        file.gone ||= header !== undefined && left.length === Buffer.byteLength(data);
        return false;
      }
      rest = left;
      started = left.length < Buffer.byteLength(data);
    } else {
      rest = Buffer.from(data);
    }
    // A header that never reached the disk must be kept whole, or the session has no file at all.
    const headerBytes = header === undefined || started ? 0 : Buffer.byteLength(header);
    if (headerBytes > 0 && this.#heldBytes + headerBytes > outageLimits.heldBytes) {
      file.gone = true;
      this.#drop(file, lines, calls);
      return false;
    }
    return this.#hold(file, rest, started || headerBytes > 0, lines, calls, final);
  }

  #segmentWriter(): SegmentWriter {
    this.#segments ??= new SegmentWriter({
      dir: this.dir,
      ownFiles: (blocks: OwnFileBlock[]) => {
        for (const block of blocks) {
          if ("header" in block) block.file.header = block.header;
          this.append(block.file, block.text, block.lines, block.calls);
        }
      },
      failed: (error) => this.#failed(error),
      hold: (bytes) => {
        if (this.#heldBytes + bytes > outageLimits.heldBytes) return false;
        this.#heldBytes += bytes;
        return true;
      },
      release: (bytes) => {
        this.#heldBytes -= bytes;
      },
    });
    return this.#segments;
  }

  /** The session ended: its file is closed once nothing of it waits. */
  finish(file: SessionFile): void {
    file.ended = true;
    if (file.held.length === 0) closeFile(file);
  }

  /** Counts lines that were never made into text (a session whose file is gone). */
  #drop(file: SessionFile, lines: number, calls: number): void {
    if (this.#broken) return;
    file.droppedLines += lines;
    file.droppedCalls += calls;
    this.#touched.add(file);
  }

  // Writes all of `data`; returns what the disk did not take (undefined when it took everything).
  // A failure is recorded on the sink (an outage begins, or the directory is broken).
  #write(file: SessionFile, data: string | Buffer): Buffer | undefined {
    let failure: ReturnType<typeof writeAll>;
    try {
      if (file.fd < 0) this.#openFile(file);
      failure = writeAll(file.fd, data);
    } catch (error) {
      failure = { error, rest: typeof data === "string" ? Buffer.from(data) : data };
    }
    if (failure === undefined) return undefined;
    // Reopen on the next try: the file may be replaced, or the directory made again.
    closeFile(file);
    this.#failed(failure.error);
    return failure.rest;
  }

  #openFile(file: SessionFile): void {
    if (!this.#dirMade) {
      fsCalls.mkdir(this.dir);
      this.#dirMade = true;
    }
    try {
      file.fd = fsCalls.open(file.path);
    } catch (error) {
      if (codeOf(error) !== "ENOENT") throw error;
      // The directory was removed while the program ran: make it again.
      fsCalls.mkdir(this.dir);
      file.fd = fsCalls.open(file.path);
    }
    keepOpen(file);
  }

  // `firstLine`: the first line of `data` must be kept whatever the budget (the rest of a line the
  // disk took only part of, or the file's header).
  #hold(
    file: SessionFile,
    data: Buffer,
    firstLine: boolean,
    lines: number,
    calls: number,
    final: string | undefined,
  ): boolean {
    this.#touched.add(file);
    if (this.#heldBytes + data.length <= outageLimits.heldBytes) {
      this.#keep(file, data);
      file.heldLines += lines + (final === undefined ? 0 : 1);
      file.heldCalls += calls;
      return true;
    }
    // Over budget. Still kept: the rest of a line already begun on disk (else two lines would run
    // together) or the header, and the session's last line (else a session that ended reads back
    // interrupted).
    const finalBytes = final === undefined ? 0 : Buffer.byteLength(final);
    if (data.length <= finalBytes) {
      this.#keep(file, data); // all that is left is (the rest of) the last line
      return true;
    }
    if (firstLine) this.#keep(file, data.subarray(0, data.indexOf(10) + 1));
    if (finalBytes > 0) this.#keep(file, data.subarray(data.length - finalBytes));
    file.droppedLines += lines - (firstLine ? 1 : 0);
    file.droppedCalls += calls;
    return false;
  }

  #keep(file: SessionFile, data: Buffer): void {
    if (data.length === 0) return;
    file.held.push(data);
    this.#heldBytes += data.length;
  }

  #failed(error: unknown): void {
    const code = codeOf(error);
    if (PERMANENT.has(code)) {
      this.#broken = true;
      this.#segments?.discard();
      this.#endOutage();
      for (const file of this.#touched) file.held = [];
      this.#touched.clear();
      this.#heldBytes = 0;
      this.#warn(
        `cannot write session files in ${this.dir} (${code}: ${ADVICE[code] ?? "the file system refused"}); ` +
          "nothing more from this process is written there, and sessions are kept in memory only. " +
          "Fix the directory, point RUNTRACE_DIR (or rt.jsonlStore({ dir })) elsewhere, or set RUNTRACE_STORE=off.",
      );
      return;
    }
    const now = Date.now();
    if (!this.#failing) {
      this.#failing = true;
      this.#code = code;
      this.#since = now;
      this.#delay = outageLimits.firstRetryMs;
      inOutage.add(this);
      const kib = Math.round(outageLimits.heldBytes / 1024);
      this.#warn(
        `cannot write session files in ${this.dir} (${code}${ADVICE[code] ? `: ${ADVICE[code]}` : ""}); ` +
          `recording goes on: up to ${kib.toLocaleString("en-US")} KiB of lines are kept in memory and written once the directory ` +
          `takes writes again (tried again after ${outageLimits.firstRetryMs / 1000} s, then less often). ` +
          "Lines beyond that are dropped; if any are, a second warning says how many and from which sessions.",
      );
    } else {
      this.#delay = Math.min(this.#delay * 2, outageLimits.maxRetryMs);
    }
    this.#retryAt = now + this.#delay;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.retry(), this.#delay);
    this.#timer.unref();
  }

  /** Tries the directory again now. Returns true when nothing is left waiting. */
  retry(): boolean {
    if (!this.#failing) return true;
    for (const file of this.#touched) {
      if (!this.#writeHeld(file)) return false;
      if (file.ended) closeFile(file);
    }
    // Sessions in segments: a `lost` line goes before their waiting blocks.
    if (this.#segments !== undefined && !this.#segments.retry()) return false;
    const lost = this.#lossReport(this.#segments?.endOutage() ?? []);
    if (lost !== undefined) {
      const seconds = ((Date.now() - this.#since) / 1000).toFixed(1);
      this.#warn(
        `session files in ${this.dir} are written again after ${seconds} s (${this.#code}). ` +
          `Lost while the directory could not be written: ${lost}. Each of those files says so in a "lost" line.`,
      );
    }
    this.#endOutage();
    for (const file of this.#touched) {
      file.heldLines = file.heldCalls = file.droppedLines = file.droppedCalls = 0;
      file.notedLines = file.notedCalls = 0;
    }
    this.#touched.clear();
    return true;
  }

  // Writes what a file holds, then a `lost` line for what it dropped. False when the disk refused.
  #writeHeld(file: SessionFile): boolean {
    if (file.gone) return true;
    for (;;) {
      while (file.held.length > 0) {
        const data = file.held[0]!;
        const rest = this.#write(file, data);
        this.#heldBytes -= data.length - (rest?.length ?? 0);
        if (rest !== undefined) {
          file.held[0] = rest;
          return false;
        }
        file.held.shift();
      }
      file.heldLines = file.heldCalls = 0;
      if (file.droppedLines === file.notedLines) return true;
      const lines = file.droppedLines - file.notedLines;
      const calls = file.droppedCalls - file.notedCalls;
      const lost = { type: "lost", lines, calls, reason: this.#code, time: Date.now() };
      this.#keep(file, Buffer.from(`${JSON.stringify(lost)}\n`));
      file.notedLines = file.droppedLines;
      file.notedCalls = file.droppedCalls;
    }
  }

  /** At exit: one last try, then say what could not be written. */
  exit(): void {
    if (this.retry()) return;
    for (const file of this.#touched) {
      file.droppedLines += file.heldLines;
      file.droppedCalls += file.heldCalls;
    }
    const lost = this.#lossReport(this.#segments?.dropped(true) ?? []);
    if (lost !== undefined) {
      this.#warn(
        `the process exits while session files in ${this.dir} still cannot be written (${this.#code}); lost: ${lost}.`,
      );
    }
  }

  #lossReport(inSegments: ReadonlyArray<{ id: string; lines: number; calls: number }>): string | undefined {
    const sessions = [
      ...[...this.#touched].filter((f) => f.droppedLines > 0),
      ...inSegments
        .filter((s) => s.lines > 0)
        .map((s) => ({ id: s.id, droppedLines: s.lines, droppedCalls: s.calls, gone: false })),
    ];
    if (sessions.length === 0) return undefined;
    let lines = 0;
    let calls = 0;
    for (const f of sessions) {
      lines += f.droppedLines;
      calls += f.droppedCalls;
    }
    const each = sessions
      .slice(0, 5)
      .map(
        (f) =>
          `${f.id}: ${count(f.droppedLines, "line")} (${count(f.droppedCalls, "call")})${f.gone ? ", the whole session (no file)" : ""}`,
      );
    if (sessions.length > 5) each.push(`and ${count(sessions.length - 5, "more session")}`);
    return `${count(lines, "line")} (${count(calls, "call")}) of ${count(sessions.length, "session")}: ${each.join("; ")}`;
  }

  #endOutage(): void {
    this.#failing = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    inOutage.delete(this);
  }

  #warn(message: string): void {
    try {
      logger().warn(message);
    } catch {
      // A logger that throws must not break the code being recorded.
    }
  }
}

/** At exit: every directory in an outage gets a last try and reports what it could not write. */
export function exitOutages(): void {
  for (const sink of [...inOutage]) sink.exit();
}
