import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type CallTree,
  findSession,
  isSessionId,
  listSessionFiles,
  notASessionId,
  readSession,
  readSessionAt,
  type SessionPlace,
  type SessionSummary,
  segmentKey,
  sessionFileOf,
  summarizeSession,
  writerAlive,
} from "@runtrace/core";
import type { OpenFile } from "./follow.js";
import { LiveFeed } from "./live-feed.js";
import { type LoadedSession, makeLoaded, message, unreadable } from "./loaded.js";

/** A session id that is not one (400), or one stored nowhere in the directory (404). */
export class LoadError extends Error {
  override name = "LoadError";
  readonly code: "invalid_session_id" | "session_not_found";

  constructor(code: LoadError["code"], message: string) {
    super(message);
    this.code = code;
  }
}

interface Entry {
  /**
   * What was stored when it was read (a file's size and modification time, a segment session's
   * blocks): a change means it must be read again.
   */
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

/** Where a session is stored, with the key of what is stored there now (see `Entry.key`). */
interface Located {
  place: SessionPlace;
  key: string;
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
 * changes. A session is in a file of its own or, in a process that records many, in segment files
 * shared with others (core's `findSession`), cached by its blocks and followed through the
 * segments' indexes while it runs. Never throws for a corrupt file: it becomes a summary with a
 * `problem`.
 */
export class SessionSource {
  readonly dir: string;
  readonly #keep: number;
  /** By session id. */
  readonly #entries = new Map<string, Entry>();
  /** Sessions whose trees are kept, least recently used first. */
  readonly #recent = new Set<string>();
  readonly #pending = new Map<string, Promise<LoadedSession>>();
  /** The one reader of each running session's file that someone follows (streams, the cache). */
  readonly #feeds = new Map<string, LiveFeed>();
  /** The segment file of each session last found in one (a session found in a file is not here). */
  readonly #segments = new Map<string, string>();
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
   * The shared reader of a session, made on first use: of its own file, or of the segment files
   * that hold it (when it was last found there). Subscribe to it or hold it at once: it closes (and
   * is forgotten) when its last user lets go.
   */
  feed(id: string): LiveFeed {
    const file = this.fileOf(id);
    let feed = this.#feeds.get(file);
    if (feed === undefined || feed.replaced) {
      const segment = this.#segments.get(id);
      feed = new LiveFeed(id, segment ?? file, {
        pollMs: this.#options.pollMs,
        open: this.#options.open,
        segmentsIn: segment === undefined ? undefined : this.dir,
        onRelease: (done) => {
          if (this.#feeds.get(file) === done) this.#feeds.delete(file);
        },
      });
      this.#feeds.set(file, feed);
    }
    return feed;
  }

  /**
   * The session when it is known to be over without following it: the cached one when it is over
   * and unchanged, or one stored in a segment that is over when read. `undefined` for a session
   * that is running (follow it with `feed`). `LoadError` for a bad or unknown id.
   */
  async ifOver(id: string): Promise<LoadedSession | undefined> {
    const located = await this.#locate(id);
    const entry = this.#entries.get(id);
    if (entry?.session !== undefined && !entry.session.response.live && this.#fresh(entry, located.key)) {
      this.#use(id);
      return entry.session;
    }
    if (located.place.kind === "file") return undefined;
    const session = await this.#read(id, located);
    return session.response.live ? undefined : session;
  }

  /**
   * The file a session has of its own (whether there or not); `LoadError` (`invalid_session_id`)
   * for anything that is not an id.
   */
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

  /** One session; `LoadError` for a bad or unknown id. Cached until what is stored of it changes. */
  async load(id: string): Promise<LoadedSession> {
    const located = await this.#locate(id);
    const entry = this.#entries.get(id);
    if (entry?.session !== undefined && this.#fresh(entry, located.key)) {
      this.#use(id);
      return entry.session;
    }
    return this.#read(id, located);
  }

  /** Forgets every cached session and closes the files it follows. */
  close(): void {
    for (const entry of this.#entries.values()) stopGrowing(entry.growing);
    this.#entries.clear();
    this.#recent.clear();
    for (const feed of [...this.#feeds.values()]) feed.close();
    this.#feeds.clear();
  }

  /** The summary of a session with a file of its own (listing asks only for those). */
  async #summary(id: string): Promise<SessionSummary> {
    const file = this.fileOf(id);
    const key = await this.#fileKey(file);
    if (key === undefined) throw this.#notFound(id);
    const entry = this.#entries.get(id);
    if (entry !== undefined && this.#fresh(entry, key)) return entry.summary;
    return (await this.#read(id, { place: { kind: "file", id, file }, key })).summary;
  }

  /**
   * Where session `id` is stored: its own file (one stat, the common case), else a segment (its
   * index files read). `LoadError` for a bad id or one stored nowhere.
   */
  async #locate(id: string): Promise<Located> {
    const file = this.fileOf(id);
    const key = await this.#fileKey(file);
    if (key !== undefined) {
      this.#segments.delete(id);
      return { place: { kind: "file", id, file }, key };
    }
    const place = await findSession(this.dir, id);
    if (place === undefined) throw this.#notFound(id);
    // Its own file came meanwhile: read like any file.
    if (place.kind === "file") return { place, key: (await this.#fileKey(file)) ?? "gone" };
    this.#segments.set(id, place.file);
    return { place, key: `segment:${segmentKey(place.session)}` };
  }

  /** A file's size and modification time; `undefined` when there is no such file. */
  async #fileKey(file: string): Promise<string | undefined> {
    try {
      const info = await stat(file);
      return `${info.size}:${info.mtimeMs}`;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      return `error:${message(error)}`;
    }
  }

  #notFound(id: string): LoadError {
    return new LoadError(
      "session_not_found",
      `No session ${JSON.stringify(id)} in ${this.dir}. Expected an id listed by GET /api/sessions (or \`runtrace ls\`).`,
    );
  }

  /** Same file contents, and a session that looked running still has its writer. */
  #fresh(entry: Entry, key: string): boolean {
    if (entry.key !== key) return false;
    if (entry.summary.status !== "running") return true;
    return writerAlive(entry.writer);
  }

  #read(id: string, { place, key }: Located): Promise<LoadedSession> {
    const pendingKey = `${id}\n${key}`;
    let pending = this.#pending.get(pendingKey);
    if (pending === undefined) {
      pending = this.#readNow(id, place)
        .then(({ session, growing }) => {
          const previous = this.#entries.get(id)?.growing;
          if (previous !== growing) stopGrowing(previous);
          this.#entries.set(id, {
            key,
            summary: session.summary,
            writer: session.tree.writer,
            session,
            growing,
          });
          this.#use(id);
          return session;
        })
        .finally(() => this.#pending.delete(pendingKey));
      this.#pending.set(pendingKey, pending);
    }
    return pending;
  }

  async #readNow(
    id: string,
    place: SessionPlace,
  ): Promise<Pick<Entry, "session" | "growing"> & { session: LoadedSession }> {
    const { file } = place;
    // A running session is read on from where its feed stopped, in a file or in segments.
    const growing = this.#growing(id, this.fileOf(id));
    if (growing !== undefined) {
      const session = await this.#readOn(growing);
      if (session !== undefined) {
        if (!growing.feed.live.ended) return { session, growing };
        growing.release();
        return { session, growing: undefined };
      }
      growing.release();
    }
    // `readSession` flushes what this process recorded first (a viewer started by the app itself).
    const read = place.kind === "file" ? readSession(file) : readSessionAt(place);
    const session = await read.then(
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
    const previous = this.#entries.get(id)?.growing;
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

  #use(id: string): void {
    this.#recent.delete(id);
    this.#recent.add(id);
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
