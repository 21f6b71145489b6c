import { hostname } from "node:os";
import { addEvent, mergeAttributes, storedRecord } from "../recording/record.js";
import { isStatus } from "../recording/status.js";
import { CallTree } from "../recording/tree.js";
import type { CallRecord, RecordedError, RecordKind, SessionStatus } from "../recording/types.js";
import { FORMAT_VERSION, type Line } from "./lines.js";

/** A stored status; a word this reader does not know reads as `error`. */
function status(value: unknown): SessionStatus {
  return isStatus(value) ? value : "error";
}

/**
 * Rebuilds a session's tree from its stored lines, one line at a time, so a file can be read while
 * it grows (a live view) and a file cut off by a crash still reads: unfinished calls stay
 * `running`. Lines it cannot use are skipped and noted in `tree.warnings`; it never throws.
 */
export class SessionReader {
  #tree: CallTree | undefined;
  readonly #records = new Map<string, CallRecord>();
  readonly #early: string[] = [];
  #lineNo = 0;
  #ended = false;
  /** Where the lines come from, for warnings. */
  readonly source: string;
  /**
   * Told when a `move` line put a call under another parent (`from` is where it stood), for a
   * reader of the tree that keeps places of its own (depths, a live view's parents).
   */
  onMove: ((record: CallRecord, from: CallRecord) => void) | undefined;

  constructor(source: string) {
    this.source = source;
  }

  /** The tree so far; `undefined` until the session's first line was read. */
  get tree(): CallTree | undefined {
    return this.#tree;
  }

  /** True once the session's `session-end` line was read, or it was found interrupted. */
  get ended(): boolean {
    return this.#ended;
  }

  /** True when the session has no end and the process writing it is gone (see `writerAlive`). */
  get writerGone(): boolean {
    return this.#tree !== undefined && !this.#ended && !writerAlive(this.#tree.writer);
  }

  /**
   * Reads what followed the last newline of the file: a line the writer wrote without its newline
   * is used; a line cut off mid-write is skipped and noted, unless its writer is still writing it.
   */
  pushLast(rest: string): CallRecord | undefined {
    if (rest.trim().length === 0) return undefined;
    try {
      JSON.parse(rest);
    } catch {
      if (this.#tree === undefined || this.#ended || this.writerGone) {
        this.#warn(
          `the last line was cut off (${rest.length} bytes) and was skipped: the writer stopped mid-write`,
        );
      }
      return undefined;
    }
    return this.push(rest);
  }

  /**
   * The session will never end (its writer is gone): the root reads `interrupted`; calls that
   * never ended stay `running`, their last known state. True when this changed the root.
   */
  interrupt(): boolean {
    const tree = this.#tree;
    if (tree === undefined || this.#ended) return false;
    this.#ended = true;
    tree.root.status = "interrupted";
    return true;
  }

  /** Reads one line (without its newline). Returns the record it touched, if any. */
  push(text: string): CallRecord | undefined {
    this.#lineNo++;
    if (text.length === 0 || text.trim().length === 0) return undefined;
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      this.#warn(`line ${this.#lineNo} is not valid JSON and was skipped (${text.slice(0, 60)}…)`);
      return undefined;
    }
    try {
      return this.#apply(line);
    } catch (error) {
      this.#warn(`line ${this.#lineNo} could not be used: ${String(error)}`);
      return undefined;
    }
  }

  /** Records a problem found outside the lines themselves (a cut-off last line, say). */
  warn(message: string): void {
    this.#warn(message);
  }

  #warn(message: string): void {
    if (this.#tree) this.#tree.warnings.push(message);
    else this.#early.push(message);
  }

  #apply(line: Line): CallRecord | undefined {
    if (line === null || typeof line !== "object") throw new Error("not an object");
    if (line.type === "session") {
      if (this.#tree) throw new Error("a second session header");
      if (typeof line.v === "number" && line.v > FORMAT_VERSION) {
        this.#early.push(
          `written in format v${line.v}; this reader knows v${FORMAT_VERSION} and reads what it can`,
        );
      }
      const root = storedRecord(
        "0",
        null,
        String(line.id),
        String(line.name),
        "session",
        Number(line.start),
        undefined,
      );
      root.attributes = line.attributes ?? root.attributes;
      root.traceId = line.traceId;
      root.spanId = line.spanId;
      const tree = new CallTree(root);
      tree.warnings.push(...this.#early);
      tree.writer = { pid: line.pid, host: line.host };
      this.#tree = tree;
      this.#records.set("0", root);
      return root;
    }
    const tree = this.#tree;
    if (tree === undefined)
      throw new Error(`a "${String((line as { type?: unknown }).type)}" line before the session header`);
    switch (line.type) {
      case "start":
      case "call": {
        const parent = this.#records.get(String(line.parent));
        const record = storedRecord(
          String(line.id),
          parent ? parent.id : "0",
          tree.root.sessionId,
          String(line.node),
          line.kind as RecordKind,
          Number(line.start),
          line.input,
        );
        if (line.attempts !== undefined) record.attempts = line.attempts;
        if (line.waitMs !== undefined) record.waitMs = line.waitMs;
        if (line.events) record.events = line.events;
        if (line.attributes) record.attributes = line.attributes;
        record.traceId = line.traceId;
        record.spanId = line.spanId;
        if (line.type === "call") {
          record.status = status(line.status);
          record.end = line.end;
          record.output = line.output;
          record.error = line.error as RecordedError | undefined;
        }
        if (!parent)
          this.#warn(
            `call ${record.id} names an unknown parent ${String(line.parent)}; shown under the session`,
          );
        tree.attach(record, parent ?? tree.root);
        this.#records.set(record.id, record);
        return record;
      }
      case "end": {
        const record = this.#find(line.id);
        record.status = status(line.status);
        record.end = line.end;
        if (line.attempts !== undefined) record.attempts = line.attempts;
        if (line.waitMs !== undefined) record.waitMs = line.waitMs;
        record.output = line.output;
        record.error = line.error as RecordedError | undefined;
        return record;
      }
      case "event": {
        const record = this.#find(line.id);
        addEvent(
          record,
          line.data === undefined
            ? { name: line.name, time: line.time }
            : { name: line.name, time: line.time, data: line.data },
        );
        return record;
      }
      case "attributes": {
        const record = this.#find(line.id);
        mergeAttributes(record, line.attributes);
        return record;
      }
      case "move": {
        const record = this.#find(line.id);
        const parent = this.#find(line.parent);
        if (record.parentId === null) throw new Error("the session's root does not move");
        if (record.parentId === parent.id) return record;
        const from = this.#records.get(record.parentId);
        if (tree.move([record], parent).length === 0) {
          throw new Error(`call ${record.id} cannot move under its own call ${parent.id}`);
        }
        if (from !== undefined) this.onMove?.(record, from);
        return record;
      }
      case "session-end": {
        const root = tree.root;
        root.status = status(line.status);
        root.end = line.end;
        root.output = line.output;
        root.error = line.error as RecordedError | undefined;
        if (line.attributes) root.attributes = line.attributes;
        // A root known only after its header was written (a trace's) is restated here.
        if (typeof line.name === "string") root.node = line.name;
        if (typeof line.start === "number") root.start = line.start;
        if (typeof line.traceId === "string") root.traceId = line.traceId;
        if (typeof line.spanId === "string") root.spanId = line.spanId;
        this.#ended = true;
        return root;
      }
      case "lost": {
        this.#warn(
          `${Number(line.lines)} lines (${Number(line.calls)} calls) were not written (${String(line.reason)}): ` +
            "the writer could not write them and dropped them, so those calls are missing or unfinished",
        );
        return undefined;
      }
      default:
        throw new Error(`unknown line type ${JSON.stringify((line as { type?: unknown }).type)}`);
    }
  }

  #find(id: unknown): CallRecord {
    const record = this.#records.get(String(id));
    if (!record) throw new Error(`no call with id ${String(id)}`);
    return record;
  }
}

const HOST = hostname();

// One object shared by every session this process records: a session is opened per request.
const THIS_PROCESS: { readonly pid: number; readonly host: string } = Object.freeze({
  pid: process.pid,
  host: HOST,
});

/** This process, as the header of a session it records names it (see `writerAlive`). */
export function thisProcess(): { readonly pid: number; readonly host: string } {
  return THIS_PROCESS;
}

/**
 * Whether the process that wrote a session may still be running: its pid is alive on this host. A
 * writer on another host cannot be checked and counts as alive.
 */
export function writerAlive(writer: CallTree["writer"]): boolean {
  if (writer === undefined || typeof writer.pid !== "number") return false;
  if (writer.host !== HOST) return true;
  try {
    process.kill(writer.pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
