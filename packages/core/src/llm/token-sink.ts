import type { CallRecord } from "../recording/types.js";
import type { Frame } from "../runtime/frame.js";
import type { SessionState } from "../runtime/session-state.js";

/**
 * Where the call started by `rt.stream` sends its text as it arrives: each piece is queued for the
 * reader and recorded as a `token` event on that call.
 */
export class TokenSink {
  #session: SessionState | undefined;
  #record: CallRecord | undefined;
  #closed = false;
  readonly #queue: string[] = [];
  #wake: (() => void) | undefined;

  /** Ties the sink to the call that claimed it. */
  attach(frame: Frame): void {
    this.#session = frame.session;
    this.#record = frame.record;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get attached(): boolean {
    return this.#record !== undefined;
  }

  push(text: string): void {
    if (this.#closed || text === "") return;
    // The event's key is `text`: a `token` key would be taken for a secret and redacted.
    if (this.#record !== undefined) this.#session!.event(this.#record, "token", { text });
    this.#queue.push(text);
    this.#notify();
  }

  /** No more text will be recorded or queued (what is queued can still be read). */
  close(): void {
    this.#closed = true;
    this.#notify();
  }

  /** The next queued piece, or `undefined` when nothing is queued. */
  take(): string | undefined {
    return this.#queue.shift();
  }

  /** Resolves when something is queued or the sink is closed. */
  wait(): Promise<void> {
    if (this.#queue.length > 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

// The sink offered to the call `rt.stream` is starting right now. Nodes start their first attempt
// synchronously, so the node's function claims it before anything else can start under that parent.
let offered: { sink: TokenSink; parentId: string } | undefined;
// Claimed sinks by record, so a retried attempt streams to the same reader.
const claimed = new WeakMap<CallRecord, TokenSink>();

/** Offers `sink` to the next call started under `parentId` while `start` runs. */
export function offerSink<T>(sink: TokenSink, parentId: string, start: () => T): T {
  const previous = offered;
  offered = { sink, parentId };
  try {
    return start();
  } finally {
    offered = previous;
  }
}

/**
 * The token sink of the running call when `rt.stream` started it, else `undefined`. Only the call
 * `rt.stream` started can claim it: calls nested below it have another parent.
 */
export function claimSink(frame: Frame): TokenSink | undefined {
  const record = frame.record;
  const mine = claimed.get(record);
  if (mine !== undefined) return mine;
  if (offered === undefined || offered.parentId !== record.parentId || offered.sink.attached)
    return undefined;
  const sink = offered.sink;
  offered = undefined;
  sink.attach(frame);
  claimed.set(record, sink);
  return sink;
}
