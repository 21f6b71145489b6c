import { createHash } from "node:crypto";
import type { CallRecord, CallTree } from "@runtrace/core";

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO = /^0+$/;

/** One record as a span: ids, parent, service and times, shared by the Jaeger and OTLP exports. */
export interface SpanPlan {
  record: CallRecord;
  traceId: string;
  spanId: string;
  /** `undefined` for the session's root. */
  parentSpanId: string | undefined;
  service: string;
  startMs: number;
  /** The record's end, or (still running) the last moment the session shows. */
  endMs: number;
}

/**
 * The service a session's spans belong to when nothing names one: not `--service`, and no
 * `service.name` recorded on the session (which `setupTracing` records when it traces a session).
 */
export const DEFAULT_SERVICE = "runtrace";

/** Options of the span exports. */
export interface ExportOptions {
  /**
   * The service the spans belong to. @default the service the session was traced under, when it
   * was (its recorded `service.name`), else `runtrace`
   */
  service?: string;
}

function hex(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function serviceOf(record: CallRecord, inherited: string): string {
  const name = record.attributes["service.name"];
  return typeof name === "string" && name !== "" ? name : inherited;
}

/** The latest time the tree mentions: where running calls are drawn to. */
function lastMoment(tree: CallTree): number {
  let last = tree.root.end ?? tree.root.start;
  const see = (record: CallRecord) => {
    if (record.start > last) last = record.start;
    if (record.end !== undefined && record.end > last) last = record.end;
    for (const event of record.events) if (event.time > last) last = event.time;
  };
  see(tree.root);
  for (const record of tree) see(record);
  return last;
}

/**
 * Every record of a tree as a span, root first, then depth-first. Ids are the recorded trace and
 * span ids when the session was traced; otherwise stable hex ids derived (sha256) from the session
 * id and call id, so exporting twice gives the same ids.
 */
export function planSpans(tree: CallTree, options: ExportOptions = {}): SpanPlan[] {
  const root = tree.root;
  const sessionId = root.sessionId;
  const recordedTrace = root.traceId?.toLowerCase();
  const traceId =
    recordedTrace !== undefined && TRACE_ID.test(recordedTrace) && !ZERO.test(recordedTrace)
      ? recordedTrace
      : hex(`runtrace-trace:${sessionId}`, 32);
  const used = new Set<string>();
  const spanIdOf = (record: CallRecord): string => {
    const recorded = record.spanId?.toLowerCase();
    let id =
      recorded !== undefined && SPAN_ID.test(recorded) && !ZERO.test(recorded) && !used.has(recorded)
        ? recorded
        : hex(`runtrace-span:${sessionId}/${record.id}`, 16);
    for (let n = 1; used.has(id) || ZERO.test(id); n++)
      id = hex(`runtrace-span:${sessionId}/${record.id}/${n}`, 16);
    used.add(id);
    return id;
  };
  const last = lastMoment(tree);
  const plans: SpanPlan[] = [];
  const rootPlan: SpanPlan = {
    record: root,
    traceId,
    spanId: spanIdOf(root),
    parentSpanId: undefined,
    service: options.service ?? serviceOf(root, DEFAULT_SERVICE),
    startMs: root.start,
    endMs: root.end ?? last,
  };
  plans.push(rootPlan);
  // Depth-first with an explicit stack (deep trees), each entry carrying its parent's plan.
  const stack: Array<[CallRecord, SpanPlan]> = [];
  for (let i = root.children.length - 1; i >= 0; i--) stack.push([root.children[i]!, rootPlan]);
  while (stack.length > 0) {
    const [record, parent] = stack.pop()!;
    const plan: SpanPlan = {
      record,
      traceId,
      spanId: spanIdOf(record),
      parentSpanId: parent.spanId,
      service: options.service ?? serviceOf(record, parent.service),
      startMs: record.start,
      endMs: record.end ?? last,
    };
    plans.push(plan);
    for (let i = record.children.length - 1; i >= 0; i--) stack.push([record.children[i]!, plan]);
  }
  return plans;
}

/** Epoch milliseconds (with a fraction) as nanoseconds, exact past 2^53. */
export function nanos(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** Epoch milliseconds as whole microseconds, cut as Jaeger cuts the nanoseconds of an OTLP span. */
export function micros(ms: number): number {
  return Number(nanos(ms) / 1000n);
}

/** Every recorded value goes into exported spans: the file already holds only what was recorded. */
export const ALL_PAYLOADS = { input: true, output: true } as const;
