import type { ConcurrencyLimit } from "../nodes/options.js";

/**
 * A process-wide limit on how many executions of one node run at once. Waiters are served in
 * arrival order; a waiter that gives up (its call was cancelled) leaves the queue.
 */
export class Gate {
  readonly limit: number;
  #active = 0;
  #waiting: Array<() => boolean> = [];
  #head = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** How many executions hold a slot now. */
  get active(): number {
    return this.#active;
  }

  /** Takes a slot now if one is free. */
  tryAcquire(): boolean {
    if (this.#active < this.limit && this.#head === this.#waiting.length) {
      this.#active++;
      return true;
    }
    return false;
  }

  /**
   * Queues for a slot; `grant` runs once one is free (the slot is then already taken). Returns a
   * function that withdraws the request if it has not been granted yet.
   */
  enqueue(grant: () => void): () => void {
    let waiting = true;
    const entry = (): boolean => {
      if (!waiting) return false;
      waiting = false;
      this.#active++;
      grant();
      return true;
    };
    this.#waiting.push(entry);
    return () => {
      waiting = false;
    };
  }

  /** Frees a slot and hands it to the next live waiter. */
  release(): void {
    this.#active--;
    while (this.#head < this.#waiting.length && this.#active < this.limit) {
      const next = this.#waiting[this.#head]!;
      this.#waiting[this.#head++] = noop;
      if (next()) break;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }
}

function noop(): boolean {
  return false;
}

// A node's definition holds only its limit; the gate is made by the first call that needs it.
const gates = new WeakMap<ConcurrencyLimit, Gate>();

/** The gate of a node's concurrency limit, the same for every call of the node. */
export function gateFor(concurrency: ConcurrencyLimit): Gate {
  let gate = gates.get(concurrency);
  if (gate === undefined) {
    gate = new Gate(concurrency.limit);
    gates.set(concurrency, gate);
  }
  return gate;
}
