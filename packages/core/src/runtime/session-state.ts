import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { currentSettings, resolveStore } from "../config.js";
import { now } from "../internal/clock.js";
import { warnOnce } from "../internal/logger.js";
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_WORKFLOW_NAME,
} from "../internal/semconv.js";
import type { NodeDef } from "../nodes/options.js";
import { addEvent, LiveRecord, mergeAttributes } from "../recording/record.js";
import {
  type SanitizeOptions,
  sanitize,
  sanitizeAttributes,
  sanitizeError,
  sanitizeName,
} from "../recording/sanitize.js";
import type { SessionSink } from "../recording/sink.js";
import { CallTree } from "../recording/tree.js";
import type { CallRecord, CallStatus, SessionStatus } from "../recording/types.js";
import type { Store } from "../stores/store.js";
import { trackStore } from "../stores/used-stores.js";
import { Scope } from "./scope.js";
import { type CallTracer, tracerFor } from "./tracer-hook.js";

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** A session id: its UTC start time, so ids sort by time, and 40 random bits. */
export function newSessionId(date = new Date()): string {
  const day = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
  const time = `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  return `${day}-${time}-${randomBytes(5).toString("hex")}`;
}

const HOST = hostname();

/** Session-level facts the stores write in a session's header. */
export interface SessionMeta {
  pid: number;
  host: string;
}

/**
 * The recording side of a session: its tree, its writers, its root scope. Calls report to it
 * synchronously; it hands each change to the writers, which never throw.
 */
export class SessionState {
  readonly id: string;
  readonly name: string;
  readonly tree: CallTree;
  readonly root: LiveRecord;
  readonly scope = new Scope();
  readonly meta: SessionMeta = { pid: process.pid, host: HOST };
  readonly sanitize: SanitizeOptions;
  readonly recording: boolean;
  readonly recordInput: boolean;
  readonly recordOutput: boolean;
  #writers: SessionSink[] = [];
  readonly #shortStrings: boolean;
  /** Names under 16 characters are recorded as they are (nothing to redact, nothing to cut). */
  readonly #shortNames: boolean;
  /** The tracing bridge when this session is traced (decided once, when it opens). */
  tracer: CallTracer | undefined;
  #next = 1;
  #values: Map<unknown, unknown> | undefined;

  constructor(name: string, attributes: Record<string, unknown> | undefined) {
    const settings = currentSettings();
    this.sanitize = settings.sanitize;
    this.recording = settings.recording;
    this.recordInput = settings.recordInput;
    this.recordOutput = settings.recordOutput;
    this.#shortStrings = settings.sanitize.redactor.shortStringsSafe;
    this.#shortNames = this.#shortStrings && settings.sanitize.limits.maxStringLength >= 15;
    this.id = newSessionId();
    this.name = name;
    this.root = new LiveRecord(0, null, this.id, this.#name(name), "session", now(), undefined);
    if (attributes) mergeAttributes(this.root, sanitizeAttributes(attributes, this.sanitize));
    this.tree = new CallTree(this.root);
    this.tree.writer = this.meta;
  }

  /** Session-scoped values of `rt.context`. */
  get values(): Map<unknown, unknown> {
    this.#values ??= new Map();
    return this.#values;
  }

  /**
   * Starts recording: opens the store's writer (a store that fails is reported, not thrown) and,
   * when a tracer provider is registered, the tracing bridge.
   */
  open(store: Store | null | undefined, parent?: Record<string, unknown>): void {
    this.root.start = now();
    try {
      this.tracer = tracerFor(this.root, parent);
    } catch (error) {
      warnOnce("tracer", `tracing could not start for a session and is off for it: ${String(error)}`);
    }
    // The tracer goes first: it sets the trace and span ids that the store then writes.
    if (this.tracer) this.#writers.push(this.tracer);
    const target = store === undefined ? resolveStore() : store;
    if (target === null || !this.recording) return;
    try {
      trackStore(target);
      const writer = target.openSession(this.tree);
      if (writer !== null) this.#writers.push(writer);
    } catch (error) {
      warnOnce(
        `open:${target.description}`,
        `store ${target.description} could not open a session: ${String(error)}`,
      );
    }
  }

  /** Adds a writer (a live listener, the tracing bridge) that sees every later change. */
  addWriter(writer: SessionSink): void {
    this.#writers.push(writer);
  }

  startCall(parent: LiveRecord, def: NodeDef, name: string, args: unknown[]): LiveRecord {
    const input = this.recording && this.recordInput && def.recordInput ? this.#copyArgs(args) : undefined;
    const record = new LiveRecord(this.#next++, parent, this.id, this.#name(name), def.kind, now(), input);
    // A tool, agent or flow called under another name (a flow step, `rt.callWith({ name })`) keeps
    // its own name where the GenAI conventions look for it.
    if (name !== def.name) {
      const key = GEN_AI_NAME_OF[def.kind];
      if (key !== undefined) mergeAttributes(record, { [key]: this.#name(def.name) });
    }
    if (!this.recording) {
      // No records are kept, but a traced session still gets a span per call.
      if (this.tracer !== undefined) this.#toTracer((tracer) => tracer.started(record, parent));
      return record;
    }
    if (def.attributes) mergeAttributes(record, sanitizeAttributes(def.attributes, this.sanitize));
    this.tree.attach(record, parent);
    for (const writer of this.#writers) {
      try {
        writer.started(record, parent);
      } catch (error) {
        writerFailed(error);
      }
    }
    return record;
  }

  /**
   * A name as recorded: redacted and cut like a string value. Every output (file, spans, viewer, exports)
   * reads names from the records, so this is the one place they are cleaned. Names repeat on every
   * call, so short ones skip it (as short argument strings do) and the rest are remembered per name.
   */
  #name(name: string): string {
    return name.length < 16 && this.#shortNames ? name : sanitizeName(name, this.sanitize);
  }

  // Most arguments are a few numbers and short strings: those need no copy, no walk and no
  // redaction (strings under 16 characters are not scanned), and the rest array is the call's own.
  #copyArgs(args: unknown[]): unknown {
    if (args.length === 0) return NO_ARGS;
    for (let i = 0; i < args.length; i++)
      if (!plain(args[i], this.#shortStrings)) return sanitize(args, this.sanitize);
    return args;
  }

  endCall(
    record: LiveRecord,
    status: CallStatus,
    output: unknown,
    error: unknown,
    recordOutput = true,
  ): void {
    record.end = now();
    record.status = status;
    if (!this.recording) {
      if (this.tracer === undefined) return;
      if (status !== "ok" && status !== "skipped") record.error = sanitizeError(error, this.sanitize);
      this.#toTracer((tracer) => tracer.ended(record));
      return;
    }
    if (status === "ok") {
      if (recordOutput && this.recordOutput)
        record.output = plain(output, this.#shortStrings) ? output : sanitize(output, this.sanitize);
    } else if (status !== "skipped") {
      // Whatever was thrown, `undefined` included, is the call's recorded error.
      record.error = sanitizeError(error, this.sanitize);
    }
    for (const writer of this.#writers) {
      try {
        writer.ended(record);
      } catch (error) {
        writerFailed(error);
      }
    }
  }

  event(record: CallRecord, rawName: string, data: unknown): void {
    if (!this.recording && this.tracer === undefined) return;
    const name = this.#name(rawName);
    const event =
      data === undefined ? { name, time: now() } : { name, time: now(), data: sanitize(data, this.sanitize) };
    if (!this.recording) {
      this.#toTracer((tracer) => tracer.event(record, event));
      return;
    }
    addEvent(record, event);
    for (const writer of this.#writers) {
      try {
        writer.event(record, event);
      } catch (error) {
        writerFailed(error);
      }
    }
  }

  attributes(record: CallRecord, attributes: Record<string, unknown>): void {
    if (!this.recording && this.tracer === undefined) return;
    const changed = sanitizeAttributes(attributes, this.sanitize);
    if (!this.recording) {
      this.#toTracer((tracer) => tracer.attributes(record, changed));
      return;
    }
    mergeAttributes(record, changed);
    for (const writer of this.#writers) {
      try {
        writer.attributes(record, changed);
      } catch (error) {
        writerFailed(error);
      }
    }
  }

  /**
   * Adds a call that ran somewhere else (another process, see session-file/graft.ts) under
   * `parent`: `make` builds its record with the next id of this session, and every sink hears it
   * started (and ended, when it has) except the tracer, since its span, if it has one, was exported
   * where it ran. `undefined` when this session keeps no records.
   */
  adopt(parent: CallRecord, make: (id: string, sessionId: string) => CallRecord): CallRecord | undefined {
    if (!this.recording) return undefined;
    const record = make(String(this.#next++), this.id);
    this.tree.attach(record, parent);
    for (const writer of this.#writers) {
      if (writer === this.tracer) continue;
      try {
        writer.started(record, parent);
        if (record.end !== undefined) writer.ended(record);
      } catch (error) {
        writerFailed(error);
      }
    }
    return record;
  }

  #toTracer(notify: (tracer: CallTracer) => void): void {
    try {
      notify(this.tracer!);
    } catch (error) {
      writerFailed(error);
    }
  }

  /** Ends the session's root record and tells the writers. */
  close(status: SessionStatus, output: unknown, error: unknown): void {
    const root = this.root;
    root.end = now();
    root.status = status;
    if (status === "ok") {
      if (this.recordOutput) root.output = sanitize(output, this.sanitize);
    } else {
      root.error = sanitizeError(error, this.sanitize);
    }
    for (const writer of this.#writers) {
      try {
        writer.closed(root);
      } catch (error) {
        writerFailed(error);
      }
    }
  }
}

const GEN_AI_NAME_OF: Partial<Record<string, string>> = {
  tool: ATTR_GEN_AI_TOOL_NAME,
  agent: ATTR_GEN_AI_AGENT_NAME,
  flow: ATTR_GEN_AI_WORKFLOW_NAME,
};

// Writers promise not to throw; one that does anyway must not reach the code being recorded.
const NO_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[];

/** A value recorded as it is: a finite number, a boolean, null, or a string too short to hide a secret. */
function plain(value: unknown, shortStrings: boolean): boolean {
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "boolean":
      return true;
    case "string":
      return shortStrings && value.length < 16;
    case "object":
      return value === null;
    default:
      return false;
  }
}

function writerFailed(error: unknown): void {
  warnOnce(`writer:${String(error)}`, `a session writer failed and was skipped: ${String(error)}`);
}
