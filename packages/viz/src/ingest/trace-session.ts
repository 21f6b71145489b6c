import { hostname } from "node:os";
import {
  type CallRecord,
  CallTree,
  callOfSpan,
  isTraceRoot,
  type SessionSink,
  type SpanData,
  type SpanRecordOptions,
  type Store,
  spanRecord,
  spanService,
  traceRootRecord,
} from "@runtrace/core";

/** Where a span's record was put, for the spans under it. */
interface Placed {
  record: CallRecord;
  /** The service its span came from (or its parent's): a child of another service says so. */
  service: string | undefined;
}

/** A span shown under the root until its parent comes. */
interface Provisional {
  span: SpanData;
  placed: Placed;
}

/** Spans that wait for the same parent span, since the first of them came. */
interface Waiting {
  since: number;
  /** Written under the root for now, moved under their parent when it comes. */
  shown: Provisional[];
  /** Not written yet: the root span of the runtrace session this trace is, whose parent is elsewhere. */
  held: SpanData[];
}

const HOST = hostname();
const WARNING = "runtrace.warning";
/**
 * On the root while the trace is incomplete: spans received, and spans waiting for their parent.
 * The viewer shows them live; they go when the session ends.
 */
const RECEIVED = "runtrace.otlp.received";
const WAITING = "runtrace.otlp.waiting";

function byStart(a: SpanData, b: SpanData): number {
  return a.start - b.start;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Adds a warning to a record (whose attributes may be a shared empty object until written). */
function warn(record: CallRecord, warning: string): void {
  const previous = record.attributes[WARNING];
  record.attributes = {
    ...record.attributes,
    [WARNING]: typeof previous === "string" ? `${previous}; ${warning}` : warning,
  };
}

/**
 * One trace stored as one session, written as its spans arrive (in any order, over any number of
 * requests and processes) through the store's session sink, in runtrace's own format.
 *
 * - The session's root record is the trace's runtrace session when its root span is one (same
 *   session id, name, times); otherwise it is named after the trace's root span, which is a record
 *   under it. Until the root span comes, a stand-in named after the first spans' service holds its
 *   place; the session's end line restates what the header did not know.
 * - A span is written under its parent's record. A span whose parent has not arrived is written
 *   under the root at once (so the viewer shows it while the trace comes in) and moved under its
 *   parent when that comes (a `move` line). After `orphanWaitMs` without its parent it stays
 *   under the root with a `runtrace.warning` attribute saying so (and the parent, if it ever comes,
 *   says how many of its spans are there).
 * - The session ends (its `session-end` line) once the root span has come and no span waits for
 *   its parent. Spans that come later are still written: the format allows lines after the end.
 */
export class TraceSession {
  readonly traceId: string;
  /** The stored session's id. */
  readonly sessionId: string;
  /** The runtrace session this trace is, when it is one (usually `sessionId` too). */
  readonly runtraceSession: string | undefined;
  readonly tree: CallTree;
  readonly #root: CallRecord;
  readonly #sink: SessionSink;
  readonly #orphanWaitMs: number;
  /** Span id → its record. */
  readonly #placed = new Map<string, Placed>();
  /** Parent span id → spans waiting for it, oldest group first. */
  readonly #waiting = new Map<string, Waiting>();
  /** Ids of the spans held back (a retried export sends them again). */
  readonly #held = new Set<string>();
  /** How many spans wait for their parent (shown under the root, or held). */
  #waitingSpans = 0;
  /** Parent span id → how many of its spans were put under the root before it came. */
  readonly #late = new Map<string, number>();
  /** The root span came: the session's name, times and status are known. */
  #rootDone = false;
  /** Spans taken (each once). */
  #received = 0;
  #ended = false;
  /** When a span of this trace last came (epoch ms). */
  lastSeen: number;

  constructor(
    traceId: string,
    ids: { sessionId: string; runtraceSession: string | undefined },
    first: SpanData[],
    store: Store,
    orphanWaitMs: number,
  ) {
    this.traceId = traceId;
    this.sessionId = ids.sessionId;
    this.runtraceSession = ids.runtraceSession;
    this.#orphanWaitMs = orphanWaitMs;
    this.lastSeen = Date.now();
    const root = this.#headerRoot(first);
    this.#root = root;
    this.tree = new CallTree(root);
    // The viewer writes these files: while it runs they are live; once it is gone, a trace whose
    // root span never came reads as interrupted.
    this.tree.writer = { pid: process.pid, host: HOST };
    const sink = store.openSession(this.tree);
    if (sink === null) throw new Error(`the store ${store.description} keeps no files`);
    this.#sink = sink;
  }

  /** Whether the session's end line is written. */
  get ended(): boolean {
    return this.#ended;
  }

  /** How many spans wait for their parent. */
  get waiting(): number {
    return this.#waitingSpans;
  }

  /** Writes what these spans add to the trace (a span already received is skipped). */
  add(spans: SpanData[], now: number): void {
    this.lastSeen = now;
    // Start order: parents before their children within a batch, siblings in the order they ran.
    for (const span of [...spans].sort(byStart)) this.#take(span, now);
    this.#endIfDone();
    this.#count();
  }

  /**
   * Puts under the root the spans that waited `orphanWaitMs` (all of them when `everything`) for a
   * parent that has not come, each with the spans that wait below it. A group whose parent itself
   * waits goes with that parent; only a group whose parent waits for twice as long (parents in a
   * cycle) goes on its own.
   */
  expire(now: number, everything = false): void {
    const wait = this.#orphanWaitMs;
    for (const nested of [false, true]) {
      for (const [parentId, group] of this.#waiting) {
        if (this.#held.has(parentId) !== nested) continue;
        const age = now - group.since;
        if (!everything && age < (nested ? 2 * wait : wait)) continue;
        this.#waiting.delete(parentId);
        const warning = `its parent span ${parentId} had not arrived ${seconds(age)} after it: shown under the session's root`;
        this.#late.set(parentId, (this.#late.get(parentId) ?? 0) + group.shown.length + group.held.length);
        this.#waitingSpans -= group.shown.length + group.held.length;
        for (const { placed } of group.shown) this.#warn(placed.record, warning);
        for (const span of group.held.sort(byStart)) {
          this.#held.delete(span.spanId);
          if (this.#ownRoot(span) && !this.#rootDone) this.#bindRoot(span, warning);
          else this.#settle(span, this.#underRoot(), warning);
        }
      }
    }
    this.#endIfDone();
    this.#count();
  }

  #take(span: SpanData, now: number): void {
    if (this.#placed.has(span.spanId) || this.#held.has(span.spanId)) return;
    this.#received++;
    const root = isTraceRoot(span);
    if (root && this.#ownRoot(span) && !this.#rootDone) {
      this.#bindRoot(span);
      return;
    }
    if (root) {
      if (!this.#rootDone) this.#nameRoot(span);
      this.#settle(span, this.#underRoot());
      return;
    }
    const parent = this.#placed.get(span.parentSpanId!);
    if (parent !== undefined) {
      this.#settle(span, parent);
      return;
    }
    let group = this.#waiting.get(span.parentSpanId!);
    if (group === undefined) {
      group = { since: now, shown: [], held: [] };
      this.#waiting.set(span.parentSpanId!, group);
    }
    this.#waitingSpans++;
    if (this.#ownRoot(span) && !this.#rootDone) {
      // The root record stands for it: it is bound, not written, once its parent comes or not.
      group.held.push(span);
      this.#held.add(span.spanId);
    } else {
      group.shown.push({ span, placed: this.#settle(span, this.#underRoot()) });
    }
  }

  /** Adds a warning to a written record, in the file too. */
  #warn(record: CallRecord, warning: string): void {
    warn(record, warning);
    this.#sink.attributes(record, { [WARNING]: record.attributes[WARNING] });
  }

  /** The root as a parent: the service it names. */
  #underRoot(): Placed {
    const service = this.#root.attributes["service.name"];
    return { record: this.#root, service: typeof service === "string" ? service : undefined };
  }

  #options(parentId: string | null, service: string | undefined, id?: string): SpanRecordOptions {
    const options: SpanRecordOptions = { sessionId: this.sessionId, parentId };
    if (this.runtraceSession !== undefined) options.runtraceSession = this.runtraceSession;
    if (service !== undefined) options.service = service;
    if (id !== undefined) options.id = id;
    return options;
  }

  /** Whether a span is the root of the runtrace session this trace is stored as. */
  #ownRoot(span: SpanData): boolean {
    const call = callOfSpan(span.attributes);
    return call?.kind === "session" && call.callId === "0" && call.sessionId === this.runtraceSession;
  }

  /** The root the header is written with: as much of it as the first spans tell. */
  #headerRoot(spans: SpanData[]): CallRecord {
    const own = spans.find((span) => isTraceRoot(span) && this.#ownRoot(span));
    const traceRoot = spans.find(isTraceRoot);
    let root: CallRecord;
    if (own !== undefined) root = spanRecord(own, this.#options(null, undefined, "0"));
    else if (traceRoot !== undefined) root = traceRootRecord(traceRoot, this.sessionId);
    else
      root = traceRootRecord(
        spans.reduce((a, b) => (b.start < a.start ? b : a)),
        this.sessionId,
        false,
      );
    // Its end is written when the spans are taken (see add): until then it runs.
    root.status = "running";
    root.end = undefined;
    root.output = undefined;
    root.error = undefined;
    return root;
  }

  /** The runtrace session's root span came: the root record becomes the record it stands for. */
  #bindRoot(span: SpanData, warning?: string): void {
    const record = spanRecord(span, this.#options(null, undefined, "0"));
    const root = this.#root;
    root.node = record.node;
    root.start = record.start;
    root.end = record.end;
    root.status = record.status;
    root.output = record.output;
    root.error = record.error;
    root.attributes = record.attributes;
    root.traceId = record.traceId;
    root.spanId = record.spanId;
    if (warning !== undefined) warn(root, warning);
    if (record.events.length > 0) {
      root.events = [...record.events];
      for (const event of record.events) this.#sink.event(root, event);
    }
    this.#rootDone = true;
    this.#release(span.spanId, { record: root, service: spanService(span) });
  }

  /** The trace's root span came (not a runtrace session's): the root is named after it. */
  #nameRoot(span: SpanData): void {
    const named = traceRootRecord(span, this.sessionId);
    const root = this.#root;
    root.node = named.node;
    root.start = named.start;
    root.end = named.end;
    root.status = named.status;
    root.error = named.error;
    root.attributes = { ...root.attributes, ...named.attributes };
    this.#rootDone = true;
  }

  /**
   * Writes a span under its parent, then moves there every span shown under the root while it
   * waited for this one (and writes the spans held for it). Returns where the span was put.
   */
  #settle(first: SpanData, parent: Placed, warning?: string): Placed {
    let placedFirst: Placed | undefined;
    const stack: Array<[SpanData, Placed, string | undefined]> = [[first, parent, warning]];
    while (stack.length > 0) {
      const [span, under, why] = stack.pop()!;
      const already = this.#placed.get(span.spanId);
      if (already !== undefined) {
        placedFirst ??= already;
        continue;
      }
      const record = spanRecord(span, this.#options(under.record.id, under.service));
      if (why !== undefined) warn(record, why);
      const late = this.#late.get(span.spanId);
      if (late !== undefined) {
        warn(record, `${late} of its spans arrived long before it and are shown under the session's root`);
      }
      this.tree.attach(record, under.record);
      this.#sink.started(record, under.record);
      if (record.end !== undefined) this.#sink.ended(record);
      const placed: Placed = { record, service: spanService(span) ?? under.service };
      placedFirst ??= placed;
      this.#placed.set(span.spanId, placed);
      const held = this.#takeWaiting(span.spanId, placed);
      for (let i = held.length - 1; i >= 0; i--) stack.push([held[i]!, placed, undefined]);
    }
    return placedFirst!;
  }

  /** The span `spanId` is placed: what waited for it goes under it. */
  #release(spanId: string, placed: Placed): void {
    this.#placed.set(spanId, placed);
    for (const span of this.#takeWaiting(spanId, placed)) this.#settle(span, placed);
  }

  /**
   * Moves the spans shown under the root while they waited for `spanId` under its record, and
   * returns the spans held for it, in start order, no longer waiting.
   */
  #takeWaiting(spanId: string, parent: Placed): SpanData[] {
    const group = this.#waiting.get(spanId);
    if (group === undefined) return [];
    this.#waiting.delete(spanId);
    this.#waitingSpans -= group.shown.length + group.held.length;
    if (group.shown.length > 0) this.#moveUnder(group.shown, parent);
    for (const span of group.held) this.#held.delete(span.spanId);
    return group.held.sort(byStart);
  }

  /** Spans shown under the root go under their parent, which came. */
  #moveUnder(shown: Provisional[], parent: Placed): void {
    const from = this.#root;
    if (parent.record === from) return;
    const moved = this.tree.move(
      shown.map(({ placed }) => placed.record),
      parent.record,
    );
    this.#sink.moved?.(moved, from);
    const done = new Set(moved);
    for (const { span, placed } of shown) {
      const record = placed.record;
      if (!done.has(record)) {
        this.#warn(
          record,
          `its parent span ${span.parentSpanId} is one of its own spans: shown under the session's root`,
        );
        continue;
      }
      const service = spanService(span);
      placed.service = service ?? parent.service;
      if (
        service !== undefined &&
        service !== parent.service &&
        record.attributes["service.name"] !== service
      ) {
        record.attributes = { ...record.attributes, "service.name": service };
        this.#sink.attributes(record, { "service.name": service });
      }
    }
  }

  /** While the session runs, says on its root how many spans came and how many wait. */
  #count(): void {
    if (this.#ended) return;
    const root = this.#root;
    if (root.attributes[RECEIVED] === this.#received && root.attributes[WAITING] === this.#waitingSpans)
      return;
    const changed = { [RECEIVED]: this.#received, [WAITING]: this.#waitingSpans };
    root.attributes = { ...root.attributes, ...changed };
    this.#sink.attributes(root, changed);
  }

  #endIfDone(): void {
    if (this.#ended || !this.#rootDone || this.#waiting.size > 0) return;
    this.#ended = true;
    // The end line holds the root's attributes whole: the counts of a trace still coming go.
    const { [RECEIVED]: _received, [WAITING]: _waiting, ...attributes } = this.#root.attributes;
    this.#root.attributes = attributes;
    this.#sink.closed(this.#root);
  }
}
