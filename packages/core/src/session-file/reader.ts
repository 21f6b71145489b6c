import { hostname } from "node:os";
import { isObject } from "../internal/safe.js";
import { addEvent, mergeAttributes, storedRecord } from "../recording/record.js";
import { isStatus } from "../recording/status.js";
import { CallTree } from "../recording/tree.js";
import type { CallRecord, RecordKind, SessionStatus } from "../recording/types.js";
import { errorOf, eventsOf, finite, shown } from "./line-fields.js";
import { FORMAT_VERSION, type Line } from "./lines.js";

/** A stored status; a word this reader does not know reads as `error`. */
function status(value: unknown): SessionStatus {
  return isStatus(value) ? value : "error";
}

/**
 * The fields of a line that are not what the format says, each as `name value`: collected while a
 * line is read, then told in one warning. The line is still used, without them.
 */
type Misfits = string[];

/** `value` when it is a time in epoch milliseconds, else `fallback` (and noted, with `instead`). */
function timeOf(value: unknown, name: string, fallback: number, instead: string, misfits: Misfits): number {
  if (finite(value)) return value;
  misfits.push(`${name} ${shown(value)} (${instead} instead)`);
  return fallback;
}

/** Sets the fields a call's line may carry on `record`, those that fit the format. */
function setCallFields(record: CallRecord, line: Record<string, unknown>, misfits: Misfits): void {
  const { attempts, waitMs, events, attributes, traceId, spanId } = line;
  if (attempts !== undefined) {
    if (Number.isSafeInteger(attempts) && (attempts as number) >= 0) record.attempts = attempts as number;
    else misfits.push(`attempts ${shown(attempts)}`);
  }
  if (waitMs !== undefined) {
    if (finite(waitMs) && waitMs >= 0) record.waitMs = waitMs;
    else misfits.push(`waitMs ${shown(waitMs)}`);
  }
  if (events !== undefined) {
    const read = eventsOf(events);
    if (read === undefined) misfits.push(`events ${shown(events)}`);
    else {
      if (read.events.length > 0) record.events = read.events;
      if (read.dropped > 0) misfits.push(`${read.dropped} of its events (no name or time)`);
    }
  }
  if (attributes !== undefined) {
    if (isObject(attributes)) record.attributes = attributes;
    else misfits.push(`attributes ${shown(attributes)}`);
  }
  // Ids that are text but not hex are kept: the viewer shows them as text, without a Jaeger link,
  // and the exports make span ids of their own for them.
  if (traceId !== undefined) {
    if (typeof traceId === "string") record.traceId = traceId;
    else misfits.push(`traceId ${shown(traceId)}`);
  }
  if (spanId !== undefined) {
    if (typeof spanId === "string") record.spanId = spanId;
    else misfits.push(`spanId ${shown(spanId)}`);
  }
}

/** Sets how a call ended (a `call` line's end, or an `end` line) on `record`. */
function setEnd(record: CallRecord, line: Record<string, unknown>, misfits: Misfits): void {
  record.status = status(line.status);
  record.end = timeOf(line.end, "end", record.start, "its start", misfits);
  record.output = line.output;
  record.error = line.error === undefined ? undefined : errorOf(line.error);
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

  /** One warning for the fields of this line that were left out (or replaced), if any. */
  #misfits(what: string, misfits: Misfits): void {
    if (misfits.length === 0) return;
    this.#warn(
      `line ${this.#lineNo}: ${what} has fields the format does not allow, left out: ${misfits.join(", ")}`,
    );
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
      const misfits: Misfits = [];
      const root = storedRecord(
        "0",
        null,
        String(line.id),
        String(line.name),
        "session",
        timeOf(line.start, "start", 0, "1970", misfits),
        undefined,
      );
      setCallFields(
        root,
        { attributes: line.attributes, traceId: line.traceId, spanId: line.spanId },
        misfits,
      );
      const tree = new CallTree(root);
      tree.warnings.push(...this.#early);
      if (Number.isSafeInteger(line.pid) && typeof line.host === "string") {
        tree.writer = { pid: line.pid, host: line.host };
      } else misfits.push(`pid ${shown(line.pid)} and host ${shown(line.host)}`);
      this.#tree = tree;
      this.#records.set("0", root);
      this.#misfits("the session header", misfits);
      return root;
    }
    const tree = this.#tree;
    if (tree === undefined)
      throw new Error(`a "${String((line as { type?: unknown }).type)}" line before the session header`);
    switch (line.type) {
      case "start":
      case "call": {
        const misfits: Misfits = [];
        const parent = this.#records.get(String(line.parent));
        // Any text: displays show a kind escaped, as they show names.
        const kind = typeof line.kind === "string" && line.kind !== "" ? line.kind : undefined;
        if (kind === undefined) misfits.push(`kind ${shown(line.kind)}`);
        const record = storedRecord(
          String(line.id),
          parent ? parent.id : "0",
          tree.root.sessionId,
          String(line.node),
          (kind ?? "function") as RecordKind,
          timeOf(line.start, "start", (parent ?? tree.root).start, "its parent's start", misfits),
          line.input,
        );
        setCallFields(record, line as unknown as Record<string, unknown>, misfits);
        if (line.type === "call") setEnd(record, line as unknown as Record<string, unknown>, misfits);
        if (!parent)
          this.#warn(
            `call ${record.id} names an unknown parent ${String(line.parent)}; shown under the session`,
          );
        tree.attach(record, parent ?? tree.root);
        this.#records.set(record.id, record);
        this.#misfits(`call ${record.id}`, misfits);
        return record;
      }
      case "end": {
        const record = this.#find(line.id);
        const misfits: Misfits = [];
        const { attempts, waitMs } = line;
        setCallFields(record, { attempts, waitMs }, misfits);
        setEnd(record, line as unknown as Record<string, unknown>, misfits);
        this.#misfits(`the end of call ${record.id}`, misfits);
        return record;
      }
      case "event": {
        const record = this.#find(line.id);
        if (typeof line.name !== "string" || !finite(line.time))
          throw new Error(
            `an event needs a name and a time, got name ${shown(line.name)}, time ${shown(line.time)}`,
          );
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
        if (!isObject(line.attributes))
          throw new Error(`attributes must be an object, got ${shown(line.attributes)}`);
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
        const misfits: Misfits = [];
        // A root known only after its header was written (a trace's) is restated here.
        if (typeof line.name === "string") root.node = line.name;
        if (line.start !== undefined)
          root.start = timeOf(line.start, "start", root.start, "the header's", misfits);
        setCallFields(
          root,
          { attributes: line.attributes, traceId: line.traceId, spanId: line.spanId },
          misfits,
        );
        setEnd(root, line as unknown as Record<string, unknown>, misfits);
        this.#ended = true;
        this.#misfits("the session's end", misfits);
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
