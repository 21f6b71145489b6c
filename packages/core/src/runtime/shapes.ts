import { defineNode } from "../nodes/options.js";
import { keptRecord, type LiveRecord } from "../recording/record.js";
import { Execution } from "./execution.js";
import { Frame } from "./frame.js";
import { SessionRun } from "./session-run.js";
import { SessionState } from "./session-state.js";

/**
 * One object of each class on the call path, kept for as long as the process lives (see
 * internal/kept.ts).
 *
 * V8 gives an object built field by field (a class instance) a hidden class that only such objects
 * hold: once none is left, a major garbage collection frees it, and throws away the optimized code
 * built for it, which is the whole call path. A process whose calls have all ended when a major
 * collection runs (a server between bursts, a script between batches) then makes its next calls
 * through unoptimized code until the compiler has built it all again: measured with a forced
 * collection between batches of 20,000 calls, about 4 µs of CPU per call instead of 0.9. These
 * few objects keep the hidden classes, and with them the optimized code. They are never run,
 * opened or stored: no store, sink, tracer or registry hears of them.
 */
const noop = () => {};

/**
 * A record gets fields of its own in the order its call writes them (see `LiveRecord`), and each
 * order is a hidden class of its own: these are the orders common calls take. A parent gets its
 * `children` when its first child starts; a traced call its span's ids as it starts, before any
 * child; a failed call its `error` as it ends.
 */
const RECORD_FIELDS: ReadonlyArray<
  ReadonlyArray<"children" | "traceId" | "spanId" | "error" | "attributes" | "events">
> = [
  ["children"],
  ["error"],
  ["attributes"],
  ["attributes", "children"],
  ["events"],
  ["traceId", "spanId"],
  ["traceId", "spanId", "children"],
  ["traceId", "spanId", "error"],
  ["traceId", "spanId", "children", "error"],
  ["attributes", "traceId", "spanId"],
  ["attributes", "traceId", "spanId", "children"],
  // A traced session's root: its span's ids, then the service's name, then its calls.
  ["traceId", "spanId", "attributes"],
  ["traceId", "spanId", "attributes", "children"],
];

function recordShapes(): LiveRecord[] {
  return RECORD_FIELDS.map((fields) => {
    const record = keptRecord("function");
    for (const field of fields) {
      if (field === "children") record.children = [];
      else if (field === "error") record.error = { name: "Error", message: "" };
      else if (field === "attributes") record.attributes = {};
      else if (field === "events") record.events = [];
      else record[field] = "";
    }
    return record;
  });
}

/** The call path's objects to keep (the first session keeps them, with a session of its own). */
export function callPathObjects(): object[] {
  const state = new SessionState("runtrace.shapes", undefined);
  const frame = new Frame(state, state.root, state.scope, 0, 0, undefined);
  const def = defineNode(noop, "runtrace.shapes", {});
  const execution = new Execution(frame, { def, self: undefined }, [], undefined, noop, noop);
  return [state, frame, new SessionRun(state), execution, execution.record, ...recordShapes()];
}
