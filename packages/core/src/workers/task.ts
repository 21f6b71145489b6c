import type { CallEvent } from "../recording/types.js";
import type { RemoteCalls } from "../session-file/graft.js";
import type { Packed } from "./cloneable.js";

/**
 * What crosses the thread boundary for one worker call. Both sides import only types from here:
 * the caller (`dispatch.ts`) and the worker (`worker-entry.ts`) are compiled separately and the
 * messages are their only contract.
 */

/** Caller to worker: one call of an exported function. */
export interface WorkerTask {
  /** The module's URL (`file:`), imported once per thread. */
  module: string;
  /** The export to run: a runtrace node or a plain function. */
  exportName: string;
  /** The arguments, each packed to cross (see `cloneable.ts`). */
  args: Packed[];
  /** The W3C trace context of the caller's record, when it is traced (`rt.inject`). */
  trace?: Record<string, string>;
  /** Send the calls made in the worker back (the caller records its session). */
  calls: boolean;
  /** Where the caller says to stop this call when it is cancelled or times out (see `stop-channel.ts`). */
  stops: string;
  /** This call's id on that channel. */
  id: number;
}

/** How the worker-side function ended. */
export type WorkerOutcome = { ok: true; value: Packed } | { ok: false; error: CrossedError };

/** An error as it crosses back: what structured clone would drop (the name of a subclass, `code`, own fields) kept. */
export interface CrossedError {
  name: string;
  message: string;
  stack?: string;
  /** Own enumerable fields that could be cloned (`code`, `status`, ...). */
  fields?: Record<string, unknown>;
  cause?: CrossedError;
}

/** Worker to caller: the outcome, where it ran, and the calls made there. */
export interface WorkerReply {
  threadId: number;
  pid: number;
  host: string;
  outcome: WorkerOutcome;
  /** The calls made in the worker, their top-level ones under the worker call (absent when not asked). */
  calls?: RemoteCalls;
  /**
   * When the export is a node, its own record in the worker is left out of `calls` (the caller's
   * record stands for it); its attributes and events are carried over to the caller's record.
   */
  own?: { attributes?: Record<string, unknown>; events?: CallEvent[] };
}
