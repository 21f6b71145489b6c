import type { ServerResponse } from "node:http";
import type { LiveChange } from "../load/live.js";
import type { FeedSubscriber, LiveFeed } from "../load/live-feed.js";
import type { StreamEventName } from "../shared/types.js";
import { BLOCK, type BlockTexts, blockTexts, dropBlockTexts } from "./block-texts.js";

/** About how much text one write carries: the connection's buffer never holds much more. */
const CHUNK_CHARS = 64 * 1024;

export function sseEvent(name: StreamEventName, data: unknown, id?: string): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The text of one change for every stream that was up to date before it, made once per change
 * (`null`: too big to be written whole, each stream sends it in chunks).
 */
const sharedText = new WeakMap<LiveChange, string | null>();

/**
 * One client's event stream of a running session, fed by the session's shared `LiveFeed`.
 *
 * What the client still needs is kept as positions, not as text: a cursor into the calls in arrival
 * order (everything from there on changed after `since` is still to send), the calls behind the
 * cursor that changed since they were sent, and whether a `session` event is due. Text is made
 * only when the connection can take it (a write waits for `drain`), so a slow client costs a few
 * numbers and a set, never a growing buffer. A client whose connection takes nothing while more
 * than `maxBacklog` calls change is dropped: it reconnects (`retry: 3000`) and, with the id of the
 * last event it got (`Last-Event-ID`), receives only what changed since.
 */
export class LiveStream implements FeedSubscriber {
  readonly #feed: LiveFeed;
  readonly #res: ServerResponse;
  readonly #maxBacklog: number;
  readonly #since: number;
  readonly #blocks: BlockTexts;
  #cursor = 0;
  readonly #dirty = new Set<number>();
  #sessionDue = true;
  #endSent = false;
  #started = false;
  /** Nothing left to send: a change can be written as its shared text. */
  #idle = false;
  #blocked = false;
  /** Calls changed since the connection stopped taking writes. */
  #behind = 0;
  #closed = false;

  /** `since`: the version the client already has (from its `Last-Event-ID`), 0 for everything. */
  constructor(feed: LiveFeed, res: ServerResponse, since: number, maxBacklog: number) {
    this.#feed = feed;
    this.#res = res;
    this.#since = since;
    this.#maxBacklog = maxBacklog;
    this.#blocks = blockTexts(feed);
  }

  /** The id of the version of this feed the client says it has, or 0 (send everything). */
  static since(feed: LiveFeed, lastEventId: string | string[] | undefined): number {
    if (typeof lastEventId !== "string") return 0;
    const [epoch, version] = lastEventId.split("-");
    if (epoch !== feed.epoch || !/^\d{1,15}$/.test(version ?? "")) return 0;
    const n = Number(version);
    return n <= feed.live.version ? n : 0;
  }

  /** Headers are out: sends the session so far, then whatever comes. */
  start(): void {
    this.#started = true;
    const response = this.#feed.live.response();
    if (response !== undefined) this.#write(sseEvent("session", response));
    this.#pump();
  }

  change(change: LiveChange): void {
    if (this.#closed) return;
    const live = this.#feed.live;
    if (this.#idle && !this.#blocked) {
      const text = this.#shared(change);
      if (text !== undefined) {
        this.#cursor = live.size;
        if (change.ended) this.#endSent = true;
        this.#write(text);
        return;
      }
    }
    this.#idle = false;
    for (const slot of change.calls) if (slot < this.#cursor) this.#dirty.add(slot);
    if (change.session || change.ended) this.#sessionDue = true;
    if (this.#blocked) {
      this.#behind += change.calls.length;
      if (this.#behind > this.#maxBacklog || this.#dirty.size > this.#maxBacklog) {
        // It reads nothing while the session moves on: drop it rather than keep its backlog.
        this.#closed = true;
        this.#res.destroy();
      }
      return;
    }
    if (this.#started) this.#pump();
  }

  closed(): void {
    this.#closed = true;
    this.#res.destroy();
  }

  /** The connection is gone (and the stream unsubscribed). */
  stop(): void {
    this.#closed = true;
    this.#dirty.clear();
    if (this.#feed.subscribers === 0) dropBlockTexts(this.#feed);
  }

  /** The change as events, when it is small enough to be written whole to every idle stream. */
  #shared(change: LiveChange): string | undefined {
    let text = sharedText.get(change);
    if (text === undefined) {
      const live = this.#feed.live;
      const response = live.response();
      if (response === undefined) return undefined;
      text = "";
      for (const slot of change.calls) {
        text += sseEvent("call", live.call(slot));
        if (text.length > CHUNK_CHARS) break;
      }
      text =
        text.length > CHUNK_CHARS
          ? null
          : text + sseEvent(change.ended ? "end" : "session", response, this.#id());
      sharedText.set(change, text);
    }
    return text ?? undefined;
  }

  #id(): string {
    return `${this.#feed.epoch}-${this.#feed.live.version}`;
  }

  #write(text: string): void {
    if (this.#res.write(text) || this.#blocked) return;
    this.#blocked = true;
    this.#behind = 0;
    this.#res.once("drain", () => {
      this.#blocked = false;
      this.#behind = 0;
      this.#pump();
    });
  }

  /** Writes what is due, a chunk at a time, until the connection is full or nothing is left. */
  #pump(): void {
    const live = this.#feed.live;
    while (!this.#closed && !this.#blocked) {
      let text = "";
      // Calls sent before and changed since: their parents were sent already.
      for (const slot of this.#dirty) {
        this.#dirty.delete(slot);
        text += sseEvent("call", live.call(slot));
        if (text.length >= CHUNK_CHARS) break;
      }
      while (text.length < CHUNK_CHARS && this.#cursor < live.size) {
        const at = this.#cursor;
        if (this.#since === 0 && at % BLOCK === 0 && at + BLOCK <= live.size) {
          // A whole block, everything of it: the text every other stream sends too.
          text += this.#blocks.text(live, at / BLOCK, () => {
            let block = "";
            for (let slot = at; slot < at + BLOCK; slot++) block += sseEvent("call", live.call(slot));
            return block;
          });
          this.#cursor += BLOCK;
          continue;
        }
        if (live.changedAt(at) > this.#since) text += sseEvent("call", live.call(at));
        this.#cursor++;
      }
      if (text.length === 0) {
        const response = this.#sessionDue ? live.response() : undefined;
        if (response === undefined) {
          this.#idle = true;
          return;
        }
        this.#sessionDue = false;
        const end = live.ended && !this.#endSent;
        if (end) this.#endSent = true;
        text = sseEvent(end ? "end" : "session", response, this.#id());
      }
      this.#write(text);
    }
  }
}
