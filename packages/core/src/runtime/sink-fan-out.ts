import { warnOnce } from "../recording/logger.js";
import type { SessionSink } from "../recording/sink.js";
import type { CallEvent, CallRecord } from "../recording/types.js";

/**
 * The sinks of one session, each told of every change in the order it was added. This is the one
 * place where a failing sink is kept away from the code being recorded: sinks promise not to
 * throw, and one that throws anyway is reported once through the logger and skipped, and the
 * sinks after it are still told.
 *
 * Every method is a plain loop, not one loop taking a callback: this runs on every `rt.call`, and
 * a closure per change would be an allocation per change. `except` leaves one sink out (the
 * tracer, for records whose spans exist already).
 */
export class SinkFanOut implements SessionSink {
  readonly #sinks: SessionSink[] = [];

  add(sink: SessionSink): void {
    this.#sinks.push(sink);
  }

  started(record: CallRecord, parent: CallRecord, except?: SessionSink): void {
    for (const sink of this.#sinks) {
      if (sink === except) continue;
      try {
        sink.started(record, parent);
      } catch (error) {
        sinkFailed(error);
      }
    }
  }

  ended(record: CallRecord, except?: SessionSink): void {
    for (const sink of this.#sinks) {
      if (sink === except) continue;
      try {
        sink.ended(record);
      } catch (error) {
        sinkFailed(error);
      }
    }
  }

  event(record: CallRecord, event: CallEvent, except?: SessionSink): void {
    for (const sink of this.#sinks) {
      if (sink === except) continue;
      try {
        sink.event(record, event);
      } catch (error) {
        sinkFailed(error);
      }
    }
  }

  attributes(record: CallRecord, changed: Record<string, unknown>, except?: SessionSink): void {
    for (const sink of this.#sinks) {
      if (sink === except) continue;
      try {
        sink.attributes(record, changed);
      } catch (error) {
        sinkFailed(error);
      }
    }
  }

  moved(records: readonly CallRecord[], from: CallRecord): void {
    for (const sink of this.#sinks) {
      try {
        sink.moved?.(records, from);
      } catch (error) {
        sinkFailed(error);
      }
    }
  }

  closed(root: CallRecord): void {
    for (const sink of this.#sinks) {
      try {
        sink.closed(root);
      } catch (error) {
        sinkFailed(error);
      }
    }
  }
}

function sinkFailed(error: unknown): void {
  warnOnce(`writer:${String(error)}`, `a session writer failed and was skipped: ${String(error)}`);
}
