import type { IncomingMessage, ServerResponse } from "node:http";
import type { SessionSource } from "../load/sessions.js";
import type { SessionResponse } from "../shared/types.js";
import { LiveStream, sseEvent } from "./live-stream.js";

/** Options of one session stream. */
export interface StreamOptions {
  /** @default 15000 */
  keepAliveMs?: number;
  /**
   * How many calls may change while a client's connection takes nothing before the client is
   * dropped (it reconnects and resumes). @default 10000
   */
  maxBacklog?: number;
}

/** The open event streams of a server, so that closing the server ends them at once. */
export class StreamHub {
  readonly #open = new Set<() => void>();

  add(stop: () => void): void {
    this.#open.add(stop);
  }

  delete(stop: () => void): void {
    this.#open.delete(stop);
  }

  get size(): number {
    return this.#open.size;
  }

  closeAll(): void {
    for (const stop of [...this.#open]) stop();
  }
}

function open(
  req: IncomingMessage,
  res: ServerResponse,
  hub: StreamHub,
  keepAliveMs: number,
  onStop = () => {},
) {
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  });
  res.write("retry: 3000\n\n");
  const keepAlive = setInterval(() => {
    if (!res.writableEnded) res.write(": keep-alive\n\n");
  }, keepAliveMs);
  const stop = () => {
    clearInterval(keepAlive);
    onStop();
    hub.delete(stop);
    if (!res.writableEnded) res.end();
  };
  hub.add(stop);
  req.on("close", stop);
  res.on("close", stop);
}

/**
 * The stream of a session that is over (ended, or interrupted): its `end` event at once, then an
 * idle stream. The file is not read again: the caller already has the session from the cache.
 */
export function streamEnded(
  req: IncomingMessage,
  res: ServerResponse,
  session: SessionResponse,
  hub: StreamHub,
  options: StreamOptions = {},
): void {
  open(req, res, hub, options.keepAliveMs ?? 15_000);
  res.write(sseEvent("end", session));
}

/**
 * `GET /api/sessions/:id/stream`: server-sent events for a session, in its file or in segment
 * files. Of a session that is over, its `end` event at once. Of a running one,
 * the state so far (`session`, every call as `call`, then `session` again, or `end` if it has ended
 * meanwhile), so nothing is missed between loading the pages and opening the stream; after that,
 * only changes. Every stream of a session is fed by the one shared reader of its file
 * (`SessionSource.feed`), and one that reconnects with the id of the last event it got
 * (`Last-Event-ID`) receives only what changed since.
 */
export async function streamSession(
  req: IncomingMessage,
  res: ServerResponse,
  source: SessionSource,
  id: string,
  hub: StreamHub,
  options: StreamOptions = {},
): Promise<void> {
  // A finished session in the page cache is not read again; one found over in a segment file ends
  // at once too, without a follower.
  const over = await source.ifOver(id);
  if (over !== undefined) return streamEnded(req, res, over.response, hub, options);

  let gone = false;
  res.once("close", () => {
    gone = true;
  });
  const feed = source.feed(id);
  const stream = new LiveStream(
    feed,
    res,
    LiveStream.since(feed, req.headers["last-event-id"]),
    options.maxBacklog ?? 10_000,
  );
  const unsubscribe = feed.subscribe(stream);
  try {
    await feed.checkWriter();
    if (feed.live.tree === undefined || feed.live.ended) {
      // Over (or not a session file yet): answered like the pages, from what was just read.
      const { response } = await source.load(id);
      if (!response.live) {
        unsubscribe();
        return streamEnded(req, res, response, hub, options);
      }
    }
  } catch (error) {
    unsubscribe();
    throw error;
  }
  if (gone || feed.replaced) {
    unsubscribe();
    if (!gone) res.destroy();
    return;
  }
  open(req, res, hub, options.keepAliveMs ?? 15_000, () => {
    unsubscribe();
    stream.stop();
  });
  stream.start();
}
