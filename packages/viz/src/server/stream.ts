import type { IncomingMessage, ServerResponse } from "node:http";
import { FileFollower } from "../load/follow.js";
import type { LiveChange, LiveSession } from "../load/live.js";
import type { SessionResponse, StreamEventName } from "../shared/types.js";

/** Options of one session stream. */
export interface StreamOptions {
  /** @default 15000 */
  keepAliveMs?: number;
  /** @default 500 */
  pollMs?: number;
}

const INTERRUPTED: LiveChange = { calls: [], session: true, ended: true };

function event(name: StreamEventName, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
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
  res.write(event("end", session));
}

/**
 * `GET /api/sessions/:id/stream` of a running session: server-sent events for its file. On connect the client
 * gets the state so far (`session`, then every call as `call`, then `end` if it has ended), so
 * nothing is missed between loading the pages and opening the stream; after that, only changes,
 * read from the bytes appended to the file.
 */
export async function streamSession(
  req: IncomingMessage,
  res: ServerResponse,
  live: LiveSession,
  hub: StreamHub,
  options: StreamOptions = {},
): Promise<void> {
  let replayed = false;
  let endSent = false;
  const send = (change: LiveChange) => {
    if (!replayed || res.writableEnded) return;
    let text = "";
    for (const call of change.calls) text += event("call", call);
    if (change.ended || change.session) {
      const response = live.response();
      if (response !== undefined) {
        const ended = change.ended && !endSent && live.ended;
        if (ended) endSent = true;
        text += event(ended ? "end" : "session", response);
      }
    }
    if (text.length > 0) res.write(text);
  };
  const follower = new FileFollower(live.file, {
    pollMs: options.pollMs,
    onLines: (lines) => send(live.push(lines)),
    onTick: () => void interruptIfWriterGone().then((now) => now && send(INTERRUPTED)),
  });
  const interruptIfWriterGone = async (): Promise<boolean> => {
    if (!live.writerGone()) return false;
    await follower.read();
    if (!live.writerGone()) return false;
    live.markInterrupted();
    return true;
  };
  open(req, res, hub, options.keepAliveMs ?? 15_000, () => follower.close());

  await follower.start();
  if (res.writableEnded) return;
  replayed = true;
  const response = live.response();
  if (response === undefined) return;
  const calls = live.calls();
  res.write(event("session", response));
  // Sent in batches: one write per call would cost a syscall each on a big live session.
  for (let i = 0; i < calls.total; i += 1000) {
    res.write(
      calls
        .slice(i, 1000)
        .map((call) => event("call", call))
        .join(""),
    );
  }
  const interrupted = await interruptIfWriterGone();
  if (interrupted || (live.ended && !endSent)) send({ calls: [], session: true, ended: true });
}
