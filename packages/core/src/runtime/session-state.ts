import { resolveStore } from "../config.js";
import { now } from "../internal/clock.js";
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_WORKFLOW_NAME,
} from "../internal/semconv.js";
import type { NodeDef } from "../nodes/options.js";
import { addEvent, LiveRecord, mergeAttributes } from "../recording/record.js";
import type { SessionSink } from "../recording/sink.js";
import { CallTree } from "../recording/tree.js";
import type { CallRecord, CallStatus, SessionStatus } from "../recording/types.js";
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
  readonly settings = new RecordSettings();
  /** The tracing bridge when this session is traced (decided once, when it opens). */
  tracer: CallTracer | undefined;
  readonly #sinks = new SinkFanOut();
  #next = 1;

  constructor(name: string, attributes: Record<string, unknown> | undefined) {
    const settings = this.settings;
    this.id = newSessionId();
    this.name = name;
    this.root = new LiveRecord(0, null, this.id, settings.name(name), "session", now(), undefined);
    if (attributes) mergeAttributes(this.root, settings.attributes(attributes));
    this.tree = new CallTree(this.root);
    this.tree.writer = thisProcess();
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
    const record = new LiveRecord(this.#next++, parent, this.id, settings.name(name), def.kind, now(), input);
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

  event(record: CallRecord, rawName: string, data: unknown): void {
    const settings = this.settings;
    if (!settings.recording && this.tracer === undefined) return;
    const name = settings.name(rawName);
    const event =
      data === undefined ? { name, time: now() } : { name, time: now(), data: settings.value(data) };
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

  /** Ends the session's root record and tells the sinks. */
  close(status: SessionStatus, output: unknown, error: unknown): void {
    const root = this.root;
    const settings = this.settings;
    root.end = now();
    root.status = status;
    if (status === "ok") {
      if (settings.recordOutput) root.output = settings.value(output);
    } else {
      root.error = settings.error(error);
    }
    this.#sinks.closed(root);
  }
}

const GEN_AI_NAME_OF: Partial<Record<string, string>> = {
  tool: ATTR_GEN_AI_TOOL_NAME,
  agent: ATTR_GEN_AI_AGENT_NAME,
  flow: ATTR_GEN_AI_WORKFLOW_NAME,
};
