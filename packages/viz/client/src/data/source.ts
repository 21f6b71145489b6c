/**
 * Where the app's data comes from: the viewer's server (JSON API + server-sent events), or the
 * `InlineData` an exported HTML file carries (no request at all).
 */
import type {
  ConfigResponse,
  FlatCall,
  InlineData,
  SessionResponse,
  SessionsResponse,
} from "../../../src/shared/types.js";
import type { Mode } from "../router.js";
import { ApiError, api } from "./http.js";

/** What a session page is told while its session loads and runs. */
export interface FeedHandlers {
  /** The session's header (root, summary, warnings, live) arrived or changed. */
  session(session: SessionResponse): void;
  /** Calls to upsert (a page of the snapshot, or one live update). */
  calls(calls: FlatCall[]): void;
  /** Snapshot progress; `done` once every page is in. */
  progress(loaded: number, total: number, done: boolean): void;
  /** The session could not be loaded (unknown id, server gone). */
  failed(error: ApiError | Error): void;
}

export interface Source {
  readonly mode: Mode;
  /** The session of an exported file (inline mode only). */
  readonly inlineSessionId: string | undefined;
  config(): Promise<ConfigResponse>;
  sessions(signal?: AbortSignal): Promise<SessionsResponse>;
  /** Starts loading a session and following it live; returns a function that stops everything. */
  openSession(id: string, handlers: FeedHandlers): () => void;
}

function isEnded(session: SessionResponse): boolean {
  return !session.live && typeof session.root?.end === "number";
}

/** The first page is small so rows show at once; the rest comes in big pages. */
const FIRST_PAGE = 500;
const PAGE = 20_000;

type Pending = { kind: "call"; data: FlatCall } | { kind: "session" | "end"; data: SessionResponse };

export function serverSource(): Source {
  let config: Promise<ConfigResponse> | undefined;
  return {
    mode: "served",
    inlineSessionId: undefined,
    config: () => {
      config ??= api.config().catch(() => ({ version: "", jaegerUrl: null }));
      return config;
    },
    sessions: (signal) => api.sessions(signal),
    openSession(id, handlers) {
      const abort = new AbortController();
      let closed = false;
      let ready = false;
      const pending: Pending[] = [];
      let latest: SessionResponse | undefined;
      const setSession = (session: SessionResponse) => {
        // An update older than what is shown (buffered before the snapshot) must not undo an end.
        if (latest && isEnded(latest) && !isEnded(session)) return;
        latest = session;
        handlers.session(session);
      };
      const apply = (event: Pending) => {
        if (event.kind === "call") handlers.calls([event.data]);
        else setSession(event.data);
        if (event.kind === "end") stream?.close();
      };
      // Open the stream BEFORE reading the snapshot, so nothing that happens in between is missed;
      // what it delivers early is applied after the snapshot (upserts by id are idempotent).
      let stream: EventSource | undefined;
      try {
        stream = new EventSource(api.streamUrl(id));
        const listen = (kind: Pending["kind"]) =>
          stream!.addEventListener(kind, (message: MessageEvent<string>) => {
            let data: unknown;
            try {
              data = JSON.parse(message.data);
            } catch {
              return;
            }
            const event = { kind, data } as Pending;
            if (ready) apply(event);
            else pending.push(event);
          });
        listen("call");
        listen("session");
        listen("end");
      } catch {
        stream = undefined;
      }
      const load = async () => {
        const [session, first] = await Promise.all([
          api.session(id, abort.signal),
          api.calls(id, 0, FIRST_PAGE, abort.signal),
        ]);
        if (closed) return;
        setSession(session);
        handlers.calls(first.calls);
        let offset = first.offset + first.calls.length;
        let total = first.total;
        handlers.progress(offset, total, offset >= total);
        // One page ahead: the server prepares the next page while this one is parsed and applied.
        const fetchPage = (at: number) => api.calls(id, at, PAGE, abort.signal);
        let next = offset < total ? fetchPage(offset) : undefined;
        while (next && !closed) {
          const page = await next;
          if (closed) return;
          if (page.calls.length === 0) break;
          const after = offset + page.calls.length;
          total = page.total;
          next = after < total ? fetchPage(after) : undefined;
          handlers.calls(page.calls);
          offset = after;
          handlers.progress(offset, total, offset >= total);
        }
        next?.catch(() => {});
        if (offset < total) handlers.progress(offset, offset, true);
        ready = true;
        for (const event of pending.splice(0)) apply(event);
        if (!latest?.live) stream?.close();
      };
      load().catch((error: unknown) => {
        if (closed) return;
        stream?.close();
        handlers.failed(error instanceof Error ? error : new Error(String(error)));
      });
      return () => {
        closed = true;
        abort.abort();
        stream?.close();
      };
    },
  };
}

/** The data an exported page carries, or `undefined` on a served page. */
export function readInlineData(doc: Document): InlineData | undefined {
  const element = doc.getElementById("runtrace-data");
  if (element?.getAttribute("type") !== "application/json") return undefined;
  try {
    const data = JSON.parse(element.textContent ?? "") as InlineData | null;
    return typeof data === "object" && data?.session ? data : undefined;
  } catch {
    return undefined;
  }
}

export function inlineSource(data: InlineData): Source {
  const sessionId = data.session.summary?.id ?? data.session.root.sessionId;
  return {
    mode: "inline",
    inlineSessionId: sessionId,
    config: async () => data.config ?? { version: "", jaegerUrl: null },
    sessions: async () => ({ sessions: data.session.summary ? [data.session.summary] : [] }),
    openSession(_id, handlers) {
      // Deliver asynchronously, like the server, so the page renders its frame first.
      const timer = setTimeout(() => {
        handlers.session({ ...data.session, live: false });
        const calls = Array.isArray(data.calls) ? data.calls : [];
        handlers.calls(calls);
        handlers.progress(calls.length, calls.length, true);
      }, 0);
      return () => clearTimeout(timer);
    },
  };
}

export { ApiError };
