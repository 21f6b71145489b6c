import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type CallTree,
  isSessionId,
  listSessionFiles,
  notASessionId,
  readSession,
  type SessionSummary,
  sessionFileOf,
  summarizeSession,
  writerAlive,
} from "@runtrace/core";
import type { OpenFile } from "./follow.js";
import { LiveFeed } from "./live-feed.js";
import { type LoadedSession, makeLoaded, message, unreadable } from "./loaded.js";

/** A session id that is not one (400), or one with no file (404). */
export class LoadError extends Error {
  override name = "LoadError";
  readonly code: "invalid_session_id" | "session_not_found";

  constructor(code: LoadError["code"], message: string) {
    super(message);
    this.code = code;
  }
}

interface Entry {
  /** File size and modification time when it was read: a change means it must be read again. */
  key: string;
  summary: SessionSummary;
  writer: CallTree["writer"];
  /** Dropped for all but the most recently used sessions, to bound memory. */
  session: LoadedSession | undefined;
  /**
   * A running session is read on from where the last read stopped, so a growing 100,000-call file
   * is not parsed again whenever it changes. `"next"`: it was running at its (full) last read.
   */
  growing: Growing | "next" | undefined;
}

/** A running session's file, read on by the shared `LiveFeed` of that file, held by the cache. */
interface Growing {
  feed: LiveFeed;
  release: () => void;
}

function stopGrowing(growing: Entry["growing"]): void {
  if (growing !== undefined && growing !== "next") growing.release();
}

/** Options of `SessionSource`. */
export interface SessionSourceOptions {
  dir: string;
  /** How many read sessions (trees and their flattened calls) to keep in memory. @default 4 */
  keep?: number;
  /** How often a followed file is looked at when no watch event comes. @default 500 */
  pollMs?: number;
  /** How followed files are opened. @default `fs/promises` `open` */
  open?: OpenFile;
}

/**
 * The sessions of one directory, read through core's public reader and cached by file size and
 * modification time, so listing or paging a big session does not read its file again until it
 * changes. Never throws for a corrupt file: it becomes a summary with a `problem`.
 */
export class SessionSource {
  readonly dir: string;
  readonly #keep: number;
  readonly #entries = new Map<string, Entry>();
  /** Files whose trees are kept, least recently used first. */
  readonly #recent = new Set<string>();
  readonly #pending = new Map<string, Promise<LoadedSession>>();
  /** The one reader of each running session's file that someone follows (streams, the cache). */
  readonly #feeds = new Map<string, LiveFeed>();
  readonly #options: SessionSourceOptions;

  constructor(options: SessionSourceOptions) {
    this.dir = resolve(options.dir);
    this.#keep = Math.max(1, options.keep ?? 4);
    this.#options = options;
  }

  /** How many files are followed now (each by one reader, however many streams it feeds). */
  get followed(): number {
    return this.#feeds.size;
  }

  /**
   * The shared reader of a session's file, made on first use. Subscribe to it or hold it at once:
   * it closes (and is forgotten) when its last user lets go.
   */
  feed(id: string): LiveFeed {
    const file = this.fileOf(id);
    let feed = this.#feeds.get(file);
    if (feed === undefined || feed.replaced) {
      feed = new LiveFeed(id, file, {
        pollMs: this.#options.pollMs,
        open: this.#options.open,
        onRelease: (done) => {
          if (this.#feeds.get(file) === done) this.#feeds.delete(file);
        },
      });
      this.#feeds.set(file, feed);
    }
    return feed;
  }

  /**
   * The cached session when it is over and its file unchanged, without reading anything;
   * `undefined` otherwise. `LoadError` for a bad id or a missing file.
   */
  async cachedIfOver(id: string): Promise<LoadedSession | undefined> {
    const file = this.fileOf(id);
    const key = await this.#key(id, file);
    const entry = this.#entries.get(file);
    if (entry?.session === undefined || entry.session.response.live || !this.#fresh(entry, key))
      return undefined;
    this.#use(file);
    return entry.session;
  }

  /** The file of a session id; `LoadError` (`invalid_session_id`) for anything that is not an id. */
  fileOf(id: string): string {
    if (!isSessionId(id)) throw new LoadError("invalid_session_id", notASessionId(id));
    return sessionFileOf(this.dir, id);
  }

  /** Every session, newest first; unreadable files are listed with their `problem`. */
  async list(): Promise<SessionSummary[]> {
    return listSessionFiles(this.dir, (entry) =>
      this.#summary(entry.id).catch((error: unknown) => {
        // Deleted between listing and reading: simply not there any more.
        if (error instanceof LoadError) return undefined;
        throw error;
      }),
    );
  }

  /** The newest readable session, if any. */
  async latest(): Promise<SessionSummary | undefined> {
    return (await this.list()).find((summary) => summary.start > 0);
  }

  /** One session; `LoadError` for a bad or unknown id. Cached until its file changes. */
  async load(id: string): Promise<LoadedSession> {
    const file = this.fileOf(id);
    const key = await this.#key(id, file);
    const entry = this.#entries.get(file);
    if (entry?.session !== undefined && this.#fresh(entry, key)) {
      this.#use(file);
      return entry.session;
    }
    return this.#read(id, file, key);
  }

  /** Forgets every cached session and closes the files it follows. */
  close(): void {
    for (const entry of this.#entries.values()) stopGrowing(entry.growing);
    this.#entries.clear();
    this.#recent.clear();
    for (const feed of [...this.#feeds.values()]) feed.close();
    this.#feeds.clear();
  }

  async #summary(id: string): Promise<SessionSummary> {
    const file = this.fileOf(id);
    const key = await this.#key(id, file);
    const entry = this.#entries.get(file);
    if (entry !== undefined && this.#fresh(entry, key)) return entry.summary;
    return (await this.#read(id, file, key)).summary;
  }

  async #key(id: string, file: string): Promise<string> {
    try {
      const info = await stat(file);
      return `${info.size}:${info.mtimeMs}`;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") {
        throw new LoadError(
          "session_not_found",
          `No session ${JSON.stringify(id)} in ${this.dir}. Expected an id listed by GET /api/sessions (or \`runtrace ls\`).`,
        );
      }
      return `error:${message(error)}`;
    }
  }

  /** Same file contents, and a session that looked running still has its writer. */
  #fresh(entry: Entry, key: string): boolean {
    if (entry.key !== key) return false;
    if (entry.summary.status !== "running") return true;
    return writerAlive(entry.writer);
  }

  #read(id: string, file: string, key: string): Promise<LoadedSession> {
    const pendingKey = `${file}\n${key}`;
    let pending = this.#pending.get(pendingKey);
    if (pending === undefined) {
      pending = this.#readNow(id, file)
        .then(({ session, growing }) => {
          const previous = this.#entries.get(file)?.growing;
          if (previous !== growing) stopGrowing(previous);
          this.#entries.set(file, {
            key,
            summary: session.summary,
            writer: session.tree.writer,
            session,
            growing,
          });
          this.#use(file);
          return session;
        })
        .finally(() => this.#pending.delete(pendingKey));
      this.#pending.set(pendingKey, pending);
    }
    return pending;
  }

  async #readNow(
    id: string,
    file: string,
  ): Promise<Pick<Entry, "session" | "growing"> & { session: LoadedSession }> {
    const growing = this.#growing(id, file);
    if (growing !== undefined) {
      const session = await this.#readOn(growing);
      if (session !== undefined) {
        if (!growing.feed.live.ended) return { session, growing };
        growing.release();
        return { session, growing: undefined };
      }
      growing.release();
    }
    const session = await readSession(file).then(
      (tree) => makeLoaded(id, file, tree, summarizeSession(tree, { id, file })),
      (error: unknown) => unreadable(id, file, message(error)),
    );
    return { session, growing: session.response.live ? "next" : undefined };
  }

  /**
   * How to read a file on instead of parsing it whole: the cache's own hold on its feed, else the
   * feed streams already share (its tree is taken over, nothing is parsed again), else, for a file
   * that was running at its last read, a new feed.
   */
  #growing(id: string, file: string): Growing | undefined {
    const previous = this.#entries.get(file)?.growing;
    if (previous !== undefined && previous !== "next") return previous;
    const shared = this.#feeds.get(file);
    if (previous === undefined && (shared === undefined || shared.replaced)) return undefined;
    const feed = shared !== undefined && !shared.replaced ? shared : this.feed(id);
    return { feed, release: feed.hold() };
  }

  /** Reads what was appended; `undefined` when the state cannot be used (the file was replaced). */
  async #readOn(growing: Growing): Promise<LoadedSession | undefined> {
    const { feed } = growing;
    await feed.checkWriter();
    const { live } = feed;
    const tree = live.tree;
    if (feed.replaced || tree === undefined) return undefined;
    return makeLoaded(live.id, live.file, tree, live.summary()!);
  }

  #use(file: string): void {
    this.#recent.delete(file);
    this.#recent.add(file);
    while (this.#recent.size > this.#keep) {
      const oldest = this.#recent.values().next().value as string;
      this.#recent.delete(oldest);
      const entry = this.#entries.get(oldest);
      if (entry) {
        entry.session = undefined;
        stopGrowing(entry.growing);
        entry.growing = undefined;
      }
    }
  }
}
