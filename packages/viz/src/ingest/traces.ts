import { existsSync } from "node:fs";
import {
  callOfSpan,
  isSessionId,
  isTraceRoot,
  type JsonlStore,
  jsonlStore,
  type SpanData,
  traceSessionId,
} from "@runtrace/core";
import { SegmentIds } from "./segment-ids.js";
import { TraceSession } from "./trace-session.js";

/** How traces become sessions (see `OtlpOptions` of `startViewer`). */
export interface TraceSessionsOptions {
  /** The directory the sessions are written to. */
  dir: string;
  /** How long a span waits for its parent before it is put under its session's root. */
  orphanWaitMs: number;
  /**
   * A trace that received nothing for this long is forgotten: a span of it that comes later starts
   * a new session. @default 600000 (10 minutes)
   */
  forgetAfterMs?: number;
  /**
   * The same for a trace whose session ended: what comes after its root span comes soon after it
   * (work that outlived the request), and a busy app makes many traces. @default 60000
   */
  forgetEndedAfterMs?: number;
  /**
   * Spans waiting for their parents, over every trace, beyond which they are all put under their
   * sessions' roots at once (memory is bounded). @default 1000000
   */
  maxWaiting?: number;
}

/**
 * The traces being received, each stored as one session (see `TraceSession`), by trace id. Sessions
 * are written through core's JSONL store, so the viewer, `runtrace show` and the exports read them
 * like any other.
 */
export class TraceSessions {
  readonly #store: JsonlStore;
  readonly #traces = new Map<string, TraceSession>();
  /** Session ids given to traces by this receiver (their files may not be on disk yet). */
  readonly #taken = new Set<string>();
  /** Ids of sessions in the directory's segment files (the app's own short sessions, or traces). */
  readonly #inSegments: SegmentIds;
  readonly #orphanWaitMs: number;
  readonly #forgetAfterMs: number;
  readonly #forgetEndedAfterMs: number;
  readonly #maxWaiting: number;
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(options: TraceSessionsOptions) {
    this.#store = jsonlStore({ dir: options.dir });
    this.#inSegments = new SegmentIds(this.#store.dir);
    this.#orphanWaitMs = options.orphanWaitMs;
    this.#forgetAfterMs = options.forgetAfterMs ?? 600_000;
    this.#forgetEndedAfterMs = options.forgetEndedAfterMs ?? 60_000;
    this.#maxWaiting = options.maxWaiting ?? 1_000_000;
    // Often enough that a span waits about `orphanWaitMs`, never more than a second longer.
    const every = Math.max(50, Math.min(1000, Math.floor(this.#orphanWaitMs / 4)));
    this.#timer = setInterval(() => this.sweep(Date.now()), every);
    this.#timer.unref();
  }

  /** How many traces are kept (received lately, or still waiting for spans). */
  get size(): number {
    return this.#traces.size;
  }

  /** The session a trace is stored as, while it is kept. */
  sessionOf(traceId: string): TraceSession | undefined {
    return this.#traces.get(traceId);
  }

  /**
   * Looks at the directory's segment files when `spans` start traces not seen yet, so that `add`
   * gives none of them the id of a session stored there. Without it, `add` checks only for files of
   * their own: a session stored in a segment would be hidden by a trace written under its id.
   */
  async prepare(spans: readonly SpanData[]): Promise<void> {
    if (spans.some((span) => !this.#traces.has(span.traceId))) await this.#inSegments.refresh();
  }

  /** Takes spans of any traces, in any order; their lines are written by the next `flush`. */
  add(spans: SpanData[]): void {
    if (this.#closed) return;
    const now = Date.now();
    const byTrace = new Map<string, SpanData[]>();
    for (const span of spans) {
      const group = byTrace.get(span.traceId);
      if (group === undefined) byTrace.set(span.traceId, [span]);
      else group.push(span);
    }
    let waiting = 0;
    for (const [traceId, group] of byTrace) {
      let trace = this.#traces.get(traceId);
      if (trace === undefined) {
        trace = new TraceSession(
          traceId,
          this.#idsFor(traceId, group),
          group,
          this.#store,
          this.#orphanWaitMs,
        );
        this.#traces.set(traceId, trace);
      }
      trace.add(group, now);
    }
    for (const trace of this.#traces.values()) waiting += trace.waiting;
    if (waiting > this.#maxWaiting) for (const trace of this.#traces.values()) trace.expire(now, true);
  }

  /** Writes every line waiting to be written. */
  flush(): Promise<void> {
    return this.#store.flush();
  }

  /** Puts long-waiting spans under their roots, and forgets traces that went quiet. */
  sweep(now: number): void {
    for (const [traceId, trace] of this.#traces) {
      trace.expire(now);
      const quiet = now - trace.lastSeen;
      if (trace.waiting === 0 && quiet > (trace.ended ? this.#forgetEndedAfterMs : this.#forgetAfterMs)) {
        this.#traces.delete(traceId);
        this.#taken.delete(trace.sessionId);
      }
    }
  }

  /**
   * Stops taking spans: the spans still waiting for their parents are written under their roots
   * (nothing received is lost), sessions whose root span came end, and everything is flushed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const now = Date.now();
    for (const trace of this.#traces.values()) trace.expire(now, true);
    this.#traces.clear();
    await this.flush();
  }

  /**
   * The id a new trace is stored under: the id of the runtrace session it is (its root span's, or
   * its first runtrace span's), else one made of its first span's start and its trace id. When that
   * one is taken (a file there already or a session in a segment file, the runtrace app's own one,
   * or a trace received earlier):
   * the runtrace session's id with `.otlp`, else with `-2`, `-3`, ...
   */
  #idsFor(traceId: string, spans: SpanData[]): { sessionId: string; runtraceSession: string | undefined } {
    const root = spans.find(isTraceRoot);
    const call =
      (root === undefined ? undefined : callOfSpan(root.attributes)) ??
      spans.map((span) => callOfSpan(span.attributes)).find((found) => found !== undefined);
    let start = spans[0]!.start;
    for (const span of spans) if (span.start < start) start = span.start;
    const own = traceSessionId(traceId, start);
    const runtraceSession = call?.sessionId;
    // The runtrace session's own id as it is; else the copy's, or the trace's, numbered.
    const bases = runtraceSession === undefined ? [own] : [runtraceSession, `${runtraceSession}.otlp`, own];
    for (const [index, base] of bases.entries()) {
      const tries = runtraceSession !== undefined && index === 0 ? 1 : 1000;
      for (let n = 1; n <= tries; n++) {
        const id = n === 1 ? base : `${base}-${n}`;
        if (!isSessionId(id)) break;
        if (this.#taken.has(id) || existsSync(this.#store.fileOf(id)) || this.#inSegments.has(id)) continue;
        this.#taken.add(id);
        return { sessionId: id, runtraceSession };
      }
    }
    // A thousand traces of the same second and trace id prefix: give up telling them apart by name.
    const id = `${own}-${Date.now().toString(36)}-${this.#taken.size}`;
    this.#taken.add(id);
    return { sessionId: id, runtraceSession };
  }
}
