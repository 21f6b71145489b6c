import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { WatchAndPoll } from "./watch-poll.js";

/** What a follower needs of an open file (a `FileHandle` has it). */
export interface FollowedFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Opens a file for reading (`fs/promises` `open` unless told otherwise, as tests do to count reads). */
export type OpenFile = (file: string) => Promise<FollowedFile>;

const openForReading: OpenFile = (file) => open(file, "r");

/** Options of `FileFollower`. */
export interface FollowerOptions {
  /** Receives complete lines (without their newline), in file order, a chunk at a time. */
  onLines(lines: string[]): void;
  /** The file shrank (replaced or truncated): it is read again from the start. */
  onReset?(): void;
  /** Called after each poll's read, for checks that need no change in the file (a writer that died). */
  onTick?(): void;
  /** Reading failed; following goes on at the next poll. */
  onError?(error: unknown): void;
  /** How often to look at the file when no watch event comes. @default 500 */
  pollMs?: number;
  /** @default `fs/promises` `open` */
  open?: OpenFile;
}

const CHUNK = 1 << 20;

/**
 * Follows a growing file: reads only the bytes appended since the last read and hands over complete
 * lines. `fs.watch` gives the prompt path; a poll covers file systems where watching does not work.
 */
export class FileFollower {
  readonly file: string;
  readonly #options: FollowerOptions;
  #handle: FollowedFile | undefined;
  #offset = 0;
  #rest = "";
  #decoder = new StringDecoder("utf8");
  readonly #watching: WatchAndPoll;
  #reading: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #closed = false;
  readonly #buffer = Buffer.allocUnsafe(CHUNK);

  constructor(file: string, options: FollowerOptions) {
    this.file = file;
    this.#options = options;
    this.#watching = new WatchAndPoll(file, {
      read: () => this.read(),
      onTick: () => this.#options.onTick?.(),
      pollMs: options.pollMs,
    });
  }

  /** Reads what the file holds now, then follows it until `close()`. */
  async start(): Promise<void> {
    await this.read();
    this.watch();
  }

  /** The bytes after the last complete line (a line being written, or cut off by a crash). */
  get partialLine(): string {
    return this.#rest;
  }

  /** Starts reading appended bytes as they come (a watch, and a poll); `unwatch()` stops that. */
  watch(): void {
    if (!this.#closed) this.#watching.start();
  }

  /** Stops following (the file stays open: `read()` still reads on from where it was). */
  unwatch(): void {
    this.#watching.stop();
  }

  /**
   * Reads whatever was appended (also called by the watcher and the poll); resolves once every byte
   * the file held when it was called has been handed over.
   */
  read(): Promise<void> {
    if (this.#reading === undefined) {
      this.#reading = this.#drain().finally(() => {
        this.#reading = undefined;
      });
      return this.#reading;
    }
    // A read is under way and may have looked at the size before the latest bytes came: one more
    // read after it (shared by every caller meanwhile).
    this.#queued ??= this.#reading.then(() => {
      this.#queued = undefined;
      return this.read();
    });
    return this.#queued;
  }

  /** Stops watching and closes the file. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.unwatch();
    const handle = this.#handle;
    this.#handle = undefined;
    const reading = this.#reading ?? Promise.resolve();
    void reading.finally(() => handle?.close().catch(() => {}));
  }

  async #drain(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#handle === undefined) {
        const opened = await (this.#options.open ?? openForReading)(this.file);
        if (this.#closed) {
          await opened.close();
          return;
        }
        this.#handle = opened;
      }
      const handle = this.#handle;
      const { size } = await handle.stat();
      if (size < this.#offset) {
        this.#offset = 0;
        this.#rest = "";
        this.#decoder = new StringDecoder("utf8");
        this.#options.onReset?.();
      }
      while (!this.#closed && this.#offset < size) {
        const { bytesRead } = await handle.read(this.#buffer, 0, CHUNK, this.#offset);
        if (bytesRead === 0) break;
        this.#offset += bytesRead;
        const text = this.#rest + this.#decoder.write(this.#buffer.subarray(0, bytesRead));
        const lines = text.split("\n");
        this.#rest = lines.pop() ?? "";
        if (lines.length > 0) this.#options.onLines(lines);
      }
    } catch (error) {
      if (this.#closed) return;
      if ((error as { code?: string }).code !== "ENOENT") this.#options.onError?.(error);
    }
  }
}
