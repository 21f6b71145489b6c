import type { Redis } from "ioredis";
import type { AttemptReport } from "./protocol.js";
import { writeReport } from "./reports.js";

/**
 * A worker marks an attempt as its own (writes its `running` report) once it has run `afterMs`, so
 * that the caller can name the worker if it dies during it. A job done sooner needs no mark (one
 * lost sooner still shows, without its worker's name): most jobs then cost no write at all.
 *
 * One timer for all the worker's attempts, not one set and cleared per job: it wakes at most once
 * per `afterMs`, marks the attempts that have run that long, and sleeps again while any are left.
 */
export class AttemptMarks {
  readonly #redis: Redis;
  readonly #afterMs: number;
  /** Attempts running and not marked yet, by their report, with their report key. */
  readonly #unmarked = new Map<AttemptReport, string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(redis: Redis, afterMs: number) {
    this.#redis = redis;
    this.#afterMs = afterMs;
  }

  /** An attempt started (its `report.start` is now). */
  started(report: AttemptReport, key: string): void {
    this.#unmarked.set(report, key);
    if (this.#timer === undefined) this.#wakeIn(this.#afterMs);
  }

  /** The attempt ended; true when it had been marked (its report key then holds its mark). */
  ended(report: AttemptReport): boolean {
    return !this.#unmarked.delete(report);
  }

  #wakeIn(ms: number): void {
    this.#timer = setTimeout(() => this.#markDue(), ms);
    // A worker's connections keep its process alive; this timer need not.
    this.#timer.unref();
  }

  #markDue(): void {
    this.#timer = undefined;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [report, key] of this.#unmarked) {
      const due = report.start + this.#afterMs;
      if (due > now) {
        next = Math.min(next, due);
        continue;
      }
      this.#unmarked.delete(report);
      // Not waited for: it goes out ahead of anything the attempt writes later on the connection.
      writeReport(this.#redis, key, report).catch(() => {});
    }
    if (next !== Number.POSITIVE_INFINITY) this.#wakeIn(next - now);
  }
}
