import { BLOCK, type LiveSession } from "../load/live.js";
import type { LiveFeed } from "../load/live-feed.js";

/** At most this many characters of event text are kept per followed session. */
const MAX_CHARS = 64 * 1024 * 1024;

/**
 * The `call` events of whole blocks of `BLOCK` calls, made once and shared by every stream of a
 * session that sends them as they are: 200 clients opening a 100,000-call session cost one
 * serialization of it, not 200. A block's text is used while none of its calls has changed since
 * it was made. Bounded (past `MAX_CHARS` blocks are made per stream and not kept), and dropped
 * with the last stream of the session.
 */
export class BlockTexts {
  readonly #texts = new Map<number, { text: string; version: number }>();
  #chars = 0;

  /** Block `block`'s events as its calls are now; `make` builds them when no kept text is current. */
  text(live: LiveSession, block: number, make: () => string): string {
    const kept = this.#texts.get(block);
    if (kept !== undefined) {
      if (kept.version >= live.blockChangedAt(block)) return kept.text;
      this.#texts.delete(block);
      this.#chars -= kept.text.length;
    }
    const text = make();
    if (this.#chars + text.length <= MAX_CHARS) {
      this.#texts.set(block, { text, version: live.version });
      this.#chars += text.length;
    }
    return text;
  }
}

const byFeed = new WeakMap<LiveFeed, BlockTexts>();

/** The block texts of a feed's streams. */
export function blockTexts(feed: LiveFeed): BlockTexts {
  let texts = byFeed.get(feed);
  if (texts === undefined) {
    texts = new BlockTexts();
    byFeed.set(feed, texts);
  }
  return texts;
}

/** The feed's last stream left: its texts go (the feed may live on, held by the page cache). */
export function dropBlockTexts(feed: LiveFeed): void {
  byFeed.delete(feed);
}

export { BLOCK };
