import { resolveStore } from "../config.js";
import { now } from "../internal/clock.js";
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_WORKFLOW_NAME,
} from "../internal/semconv.js";
import type { NodeDef } from "../nodes/options.js";
import { addEvent, CLOCK_SPAN, LiveRecord, mergeAttributes, RecordClock } from "../recording/record.js";
import type { SessionSink } from "../recording/sink.js";
import { CallTree } from "../recording/tree.js";
import type { CallEvent, CallRecord, CallStatus, SessionStatus } from "../recording/types.js";
import { newSessionId } from "../session-file/ids.js";
import { thisProcess } from "../session-file/reader.js";
import type { Store } from "../stores/store.js";
import { openStoreSink } from "./open-store.js";
import { RecordSettings } from "./record-settings.js";
import { Scope } from "./scope.js";
import { SinkFanOut } from "./sink-fan-out.js";
import { type CallTracer, tracerFor } from "./tracer-hook.js";

/**
 * The recording side of a session: its tree, its root scope, its sinks. Calls report to it
 * synchronously; it cleans what they report (through its settings), keeps it in the tree and
 * hands each change to its sinks, which never throw into the call.
 *
 * With recording off no tree is kept and no store is opened: the tracer, when the session is
 * traced, is the only sink, so the session still gets a span per call.
 */
export class SessionState {
  readonly id: string;
  readonly name: string;
  readonly tree: CallTree;
  readonly root: LiveRecord;
  readonly scope = new Scope();
  readonly settings = RecordSettings.current();
  /** The tracing bridge when this session is traced (decided once, when it opens). */
  tracer: CallTracer | undefined;
  readonly #sinks = new SinkFanOut();
  #next = 1;
  /** The clock new records count their times from (see `RecordClock`). */
  #clock: RecordClock;
  /** Adopted records still running (a span another library started and has not ended yet). */
  #adoptedRunning: Set<CallRecord> | undefined;

  constructor(name: string, attributes: Record<string, unknown> | undefined) {
    const settings = this.settings;
    this.id = newSessionId();
    this.name = name;
    const start = now();
    this.#clock = this.#clockFrom(start);
    this.root = new LiveRecord(0, null, this.#clock, settings.name(name), "session", start, undefined);
    if (attributes) mergeAttributes(this.root, settings.attributes(attributes));
    this.tree = new CallTree(this.root);
    this.tree.writer = thisProcess();
  }

  /** A clock for this session's records counting from `start` (epoch ms), in whole microseconds. */
  #clockFrom(start: number): RecordClock {
    return new RecordClock(this.id, Math.round(start * 1000));
  }

  /**
   * Starts recording: the tracing bridge when a tracer provider is registered, then the store's
   * sink. Neither throws: what fails to open is reported and left out.
   */
  open(store: Store | null | undefined, parent?: Record<string, unknown>): void {
    this.root.start = now();
    this.tracer = tracerFor(this.root, parent);
    // The tracer goes first: it sets the trace and span ids that the store then writes.
    if (this.tracer) this.#sinks.add(this.tracer);
    const target = store === undefined ? resolveStore() : store;
    if (target === null || !this.settings.recording) return;
    const sink = openStoreSink(target, this.tree);
    if (sink !== null) this.#sinks.add(sink);
  }

  /**
   * Adds a sink (a live listener) that hears every later change. With recording off there is
   * nothing for it to hear: only the tracer is told of calls that are not recorded.
   */
  addSink(sink: SessionSink): void {
    if (this.settings.recording) this.#sinks.add(sink);
  }

  startCall(parent: LiveRecord, def: NodeDef, name: string, args: unknown[]): LiveRecord {
    const settings = this.settings;
    const recording = settings.recording;
    const input = recording && settings.recordInput && def.recordInput ? settings.args(args) : undefined;
    const start = now();
    let clock = this.#clock;
    if (start * 1000 - clock.base >= CLOCK_SPAN) {
      clock = this.#clock = this.#clockFrom(start);
    }
    const record = new LiveRecord(this.#next++, parent, clock, settings.name(name), def.kind, start, input);
    // A tool, agent or flow called under another name (a flow step, `rt.callWith({ name })`) keeps
    // its own name where the GenAI conventions look for it.
    if (name !== def.name) {
      const key = GEN_AI_NAME_OF[def.kind];
      if (key !== undefined) mergeAttributes(record, { [key]: settings.name(def.name) });
    }
    if (recording) {
      if (def.attributes) mergeAttributes(record, settings.attributes(def.attributes));
      this.tree.attach(record, parent);
    }
    this.#sinks.started(record, parent);
    return record;
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
    const settings = this.settings;
    if (!settings.recording) {
      // Only a span is made of this call: it needs the error, not the result.
      if (this.tracer === undefined) return;
      if (status !== "ok" && status !== "skipped") record.error = settings.error(error);
    } else if (status === "ok") {
      if (recordOutput && settings.recordOutput) record.output = settings.output(output);
    } else if (status !== "skipped") {
      // Whatever was thrown, `undefined` included, is the call's recorded error.
      record.error = settings.error(error);
    }
    this.#sinks.ended(record);
  }

  /** Adds an event to `record`; `time` is for one that happened elsewhere (default: now). */
  event(record: CallRecord, rawName: string, data: unknown, time: number = now()): void {
    const settings = this.settings;
    if (!settings.recording && this.tracer === undefined) return;
    const name = settings.name(rawName);
    const event = data === undefined ? { name, time } : { name, time, data: settings.value(data) };
    if (settings.recording) addEvent(record, event);
    this.#sinks.event(record, event);
  }

  attributes(record: CallRecord, attributes: Record<string, unknown>): void {
    const settings = this.settings;
    if (!settings.recording && this.tracer === undefined) return;
    const changed = settings.attributes(attributes);
    if (settings.recording) mergeAttributes(record, changed);
    this.#sinks.attributes(record, changed);
  }

  /**
   * Puts a record made elsewhere under `parent`: a span another library started (kind `"span"`), or
   * calls that ran in another process. `make` builds it with this session's next id. The sinks hear
   * of it as of a call (started, and ended when it has), except the tracer: its span, if it has
   * one, exists already. `undefined` when this session keeps no records.
   */
  adopt(parent: CallRecord, make: (id: string, sessionId: string) => CallRecord): CallRecord | undefined {
    if (!this.settings.recording) return undefined;
    const record = make(String(this.#next++), this.id);
    this.tree.attach(record, parent);
    this.#sinks.started(record, parent, this.tracer);
    if (record.end !== undefined) this.#sinks.ended(record, this.tracer);
    else {
      this.#adoptedRunning ??= new Set();
      this.#adoptedRunning.add(record);
    }
    return record;
  }

  /**
   * An adopted record that was running has ended: its new attributes and events, then its end
   * (status, end, error) are recorded. Nothing happens when it was already settled: the session
   * ended first and recorded it as interrupted.
   */
  settleAdopted(record: CallRecord, settled: AdoptedEnd): void {
    if (this.#adoptedRunning?.delete(record) !== true) return;
    if (settled.attributes !== undefined) {
      mergeAttributes(record, settled.attributes);
      this.#sinks.attributes(record, settled.attributes, this.tracer);
    }
    for (const event of settled.events ?? []) {
      addEvent(record, event);
      this.#sinks.event(record, event, this.tracer);
    }
    record.status = settled.status;
    record.end = settled.end;
    if (settled.error !== undefined) record.error = settled.error;
    this.#sinks.ended(record, this.tracer);
  }

  /**
   * Ends the session's root record and tells the sinks. Adopted records still running are recorded
   * as `interrupted` at the session's end first: nothing more will be heard of them here.
   */
  close(status: SessionStatus, output: unknown, error: unknown): void {
    const root = this.root;
    const settings = this.settings;
    root.end = now();
    root.status = status;
    if (status === "ok") {
      if (settings.recordOutput) root.output = settings.output(output);
    } else {
      root.error = settings.error(error);
    }
    if (this.#adoptedRunning !== undefined) {
      for (const record of this.#adoptedRunning) {
        record.status = "interrupted";
        record.end = root.end;
        this.#sinks.ended(record, this.tracer);
      }
      this.#adoptedRunning = undefined;
    }
    this.#sinks.closed(root);
  }
}

/** How an adopted record ended (see `SessionState.settleAdopted`). */
export interface AdoptedEnd {
  status: CallRecord["status"];
  end: number;
  error?: CallRecord["error"];
  /** Attributes it gained since it was adopted (cleaned already). */
  attributes?: Record<string, unknown>;
  /** Events it had by its end (cleaned already). */
  events?: CallEvent[];
}

const GEN_AI_NAME_OF: Partial<Record<string, string>> = {
  tool: ATTR_GEN_AI_TOOL_NAME,
  agent: ATTR_GEN_AI_AGENT_NAME,
  flow: ATTR_GEN_AI_WORKFLOW_NAME,
};
