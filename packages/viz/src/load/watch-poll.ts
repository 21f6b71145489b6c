import { type FSWatcher, watch } from "node:fs";

/** Watch events come in bursts (the writer appends once per event-loop turn): read once per burst. */
const COALESCE_MS = 20;

/** What `WatchAndPoll` calls. */
export interface WatchAndPollOptions {
  /** Reads what changed (shared by the watcher and the poll). */
  read(): Promise<void>;
  /** After each poll's read: checks that need no change (a writer that died). */
  onTick(): void;
  /** Whether a watch event names something worth a read. @default every event */
  concerns?(name: string | Buffer | null): boolean;
  /** @default 500 */
  pollMs?: number;
}

/**
 * Reads a followed file or directory as it changes: `fs.watch` gives the prompt path (one read per
 * burst of events), a poll covers file systems where watching does not work. What `FileFollower`
 * and `SegmentFollower` share.
 */
export class WatchAndPoll {
  readonly #target: string;
  readonly #options: WatchAndPollOptions;
  #watcher: FSWatcher | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(target: string, options: WatchAndPollOptions) {
    this.#target = target;
    this.#options = options;
  }

  /** Starts watching and polling (again after `stop()`); nothing when it already does. */
  start(): void {
    if (this.#poll !== undefined) return;
    const { concerns } = this.#options;
    try {
      this.#watcher = watch(this.#target, { persistent: false }, (_event, name) => {
        if (concerns === undefined || concerns(name)) this.#schedule();
      });
      this.#watcher.on("error", () => {
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch {
      // Not watchable here (some network and container file systems): the poll does the work.
    }
    this.#poll = setInterval(() => {
      // Read first, so a check made on tick sees everything written before it.
      void this.#options.read().then(() => {
        if (this.#poll !== undefined) this.#options.onTick();
      });
    }, this.#options.pollMs ?? 500);
  }

  stop(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#poll === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#options.read();
    }, COALESCE_MS);
  }
}
