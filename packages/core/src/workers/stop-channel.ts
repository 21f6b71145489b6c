import { randomUUID } from "node:crypto";
import { BroadcastChannel } from "node:worker_threads";

/**
 * How a caller tells a worker thread to stop one call: one BroadcastChannel per pool, opened on
 * the caller's side at the first stop and on each thread's side at its first task, so a call costs
 * nothing for it (a MessageChannel per call costs more than a small call itself). A stop that
 * arrives before its call started on a thread (it waited in the pool's queue) is kept, and the call
 * stops as soon as it starts.
 */

/** A stop: which call, and why. */
interface StopMessage {
  id: number;
  reason: string;
}

/** Caller side: one per pool. */
export class StopSender {
  /** The channel's name, sent with each task. */
  readonly name = `runtrace:worker-stops:${randomUUID()}`;
  #channel: BroadcastChannel | undefined;
  #last = 0;

  /** A new call's id, unique in this pool. */
  nextId(): number {
    return ++this.#last;
  }

  stop(id: number, reason: string): void {
    if (this.#channel === undefined) {
      this.#channel = new BroadcastChannel(this.name);
      // Stops are fire-and-forget: an open channel must not keep the process alive.
      this.#channel.unref();
    }
    this.#channel.postMessage({ id, reason } satisfies StopMessage);
  }

  close(): void {
    this.#channel?.close();
  }
}

/** Stops kept for calls not started yet; old ones go first (their calls had ended). */
const MAX_EARLY = 1_000;

/** Worker side: one per channel (per pool) in a thread. */
class StopReceiver {
  readonly #running = new Map<number, (reason: string) => void>();
  readonly #early = new Map<number, string>();

  constructor(name: string) {
    const channel = new BroadcastChannel(name);
    channel.unref();
    channel.onmessage = (event) => this.#received((event as { data: StopMessage }).data);
  }

  #received(message: StopMessage): void {
    const onStop = this.#running.get(message.id);
    if (onStop !== undefined) {
      this.#running.delete(message.id);
      onStop(message.reason);
      return;
    }
    this.#early.set(message.id, message.reason);
    if (this.#early.size > MAX_EARLY) this.#early.delete(this.#early.keys().next().value!);
  }

  /** Calls `onStop` when the caller stops call `id`, until the returned release is called. */
  watch(id: number, onStop: (reason: string) => void): () => void {
    const early = this.#early.get(id);
    if (early !== undefined) {
      this.#early.delete(id);
      onStop(early);
      return () => {};
    }
    this.#running.set(id, onStop);
    return () => this.#running.delete(id);
  }
}

const receivers = new Map<string, StopReceiver>();

/** Worker side: watches for the stop of call `id` sent on channel `name`; returns the release. */
export function watchStop(name: string, id: number, onStop: (reason: string) => void): () => void {
  let receiver = receivers.get(name);
  if (receiver === undefined) {
    receiver = new StopReceiver(name);
    receivers.set(name, receiver);
  }
  return receiver.watch(id, onStop);
}
