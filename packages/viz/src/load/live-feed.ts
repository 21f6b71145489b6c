import { randomBytes } from "node:crypto";
import { FileFollower, type FollowerOptions, type OpenFile } from "./follow.js";
import { type LiveChange, LiveSession } from "./live.js";
import { SegmentFollower } from "./segment-follow.js";

/** One user of a feed that wants every change (a live event stream). */
export interface FeedSubscriber {
  /** A batch of lines (or the writer's death) changed the session. */
  change(change: LiveChange): void;
  /** The feed stopped for good (its file was replaced, or the viewer closes): stop using it. */
  closed(): void;
}

/** Options of `LiveFeed`. */
export interface LiveFeedOptions {
  /** @default 500 */
  pollMs?: number;
  open?: OpenFile;
  /** Called once when the last user let go, or the file was replaced: forget this feed. */
  onRelease(feed: LiveFeed): void;
  /**
   * The session is stored in the segment files of this directory (a busy process's, see core's
   * `findSession`), not in `file`: its blocks are followed as the segments' indexes name them.
   */
  segmentsIn?: string;
}

/** What a feed needs of a follower: `FileFollower` or `SegmentFollower`. */
type Follower = Pick<FileFollower, "read" | "watch" | "unwatch" | "close" | "partialLine"> & {
  /** Reads what the writer left past the index, once it is gone (segments only). */
  readPastIndex?(): Promise<void>;
};

/**
 * The one reader of a running session's file in a viewer, shared by everyone who needs it: every
 * event stream of the session and the page cache. It reads the appended bytes once and hands each
 * change to every subscriber, watches the file only while someone subscribes, and closes the file
 * (dropping the whole tree) when the last user lets go.
 */
export class LiveFeed {
  readonly live: LiveSession;
  /** Names this reader in event ids: an id from another reader (of an older file) means nothing here. */
  readonly epoch = randomBytes(4).toString("hex");
  readonly #follower: Follower;
  readonly #subscribers = new Set<FeedSubscriber>();
  readonly #onRelease: (feed: LiveFeed) => void;
  #holds = 0;
  #replaced = false;
  #released = false;

  constructor(id: string, file: string, options: LiveFeedOptions) {
    this.live = new LiveSession(id, file);
    this.#onRelease = options.onRelease;
    const follow: FollowerOptions = {
      pollMs: options.pollMs,
      open: options.open,
      onLines: (lines) => {
        if (!this.#replaced) this.#emit(this.live.push(lines));
      },
      onReset: () => this.#replace(),
      // The poll has just read: only the writer's death is left to check.
      onTick: () => void this.checkWriter(false),
    };
    this.#follower =
      options.segmentsIn === undefined
        ? new FileFollower(file, follow)
        : new SegmentFollower(options.segmentsIn, id, follow);
  }

  /** The file was replaced or truncated: what this feed holds is not that file any more. */
  get replaced(): boolean {
    return this.#replaced;
  }

  /** How many event streams follow it now. */
  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Reads what was appended since the last read (one read, whoever asks). */
  read(): Promise<void> {
    return this.#follower.read();
  }

  /**
   * Reads on, and when the session has no end and its writer is gone, reads once more (it may have
   * written its end just before exiting) and marks it interrupted. True when that happened now.
   */
  async checkWriter(readFirst = true): Promise<boolean> {
    if (readFirst) await this.read();
    if (!this.live.writerGone()) return false;
    // It may have written its end just before exiting (in a segment, maybe past the index).
    await (this.#follower.readPastIndex?.() ?? this.read());
    if (!this.live.writerGone() || this.#replaced) return false;
    this.#emit(this.live.markInterrupted(this.#follower.partialLine));
    return true;
  }

  /** Adds an event stream: the file is watched while there is one. Returns its release. */
  subscribe(subscriber: FeedSubscriber): () => void {
    this.#subscribers.add(subscriber);
    this.#follower.watch();
    return () => {
      if (!this.#subscribers.delete(subscriber)) return;
      if (this.#subscribers.size === 0) this.#follower.unwatch();
      this.#releaseIfUnused();
    };
  }

  /** Keeps the feed (and its tree) without watching the file (the page cache). Returns its release. */
  hold(): () => void {
    this.#holds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#holds--;
      this.#releaseIfUnused();
    };
  }

  /** Ends every subscription and closes the file (the viewer is closing). */
  close(): void {
    for (const subscriber of [...this.#subscribers]) subscriber.closed();
    this.#subscribers.clear();
    this.#holds = 0;
    this.#release();
  }

  #emit(change: LiveChange): void {
    if (!change.session && !change.ended && change.calls.length === 0) return;
    for (const subscriber of this.#subscribers) subscriber.change(change);
  }

  #replace(): void {
    this.#replaced = true;
    // Its streams must start again from the new file: closed, they reconnect and get a new feed.
    for (const subscriber of [...this.#subscribers]) subscriber.closed();
    this.#subscribers.clear();
    this.#follower.close();
    this.#onRelease(this);
  }

  #releaseIfUnused(): void {
    if (this.#subscribers.size === 0 && this.#holds === 0) this.#release();
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#follower.close();
    this.#onRelease(this);
  }
}
