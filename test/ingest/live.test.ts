import { afterEach, describe, expect, it } from "vitest";
import type {
  CallsResponse,
  FlatCall,
  SessionResponse,
  SessionsResponse,
} from "../../packages/viz/src/shared/types.js";
import { cleanUp, protobufBody, protoSpan, raw, viewerWithOtlp } from "./helpers.js";

afterEach(cleanUp);

const ROOT = "0000000000000001";
const B = "000000000000000b";
const C1 = "00000000000000c1";
const C2 = "00000000000000c2";
const LATE = "00000000000000d1";

/** Server-sent events read as they come, one stream kept open across the test's steps. */
class EventReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  readonly events: Array<{ event: string; data: unknown }> = [];

  constructor(response: Response) {
    this.#reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Reads until an event passes `test`; resolves with it. */
  async until(
    test: (event: { event: string; data: unknown }) => boolean,
  ): Promise<{ event: string; data: unknown }> {
    for (;;) {
      for (let end = this.#buffer.indexOf("\n\n"); end !== -1; end = this.#buffer.indexOf("\n\n")) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data === undefined) continue;
        const event = { event: name, data: JSON.parse(data) };
        this.events.push(event);
        if (test(event)) return event;
      }
      const { value, done } = await this.#reader.read();
      if (done) throw new Error(`the stream ended; events: ${this.events.map((e) => e.event).join(", ")}`);
      this.#buffer += value;
    }
  }

  close(): Promise<void> {
    return this.#reader.cancel().catch(() => {});
  }
}

describe("the viewer while a trace's spans keep arriving", () => {
  it("lists the trace at once, shows its progress live, then its whole tree, then what comes after", async () => {
    const viewer = await viewerWithOtlp();
    const post = async (spans: unknown[]) => {
      const res = await raw(viewer.otlpPort, {
        headers: { "content-type": "application/x-protobuf" },
        body: protobufBody(spans),
      });
      expect(res.status).toBe(200);
    };
    const get = async <T>(path: string) => (await (await fetch(new URL(path, viewer.url))).json()) as T;

    // The leaves end first (as an SDK sends them): the trace is listed, its spans shown at once
    // under the root until their parent comes.
    await post([protoSpan(C1, B, "c1", 2, 3), protoSpan(C2, B, "c2", 4, 5)]);
    const { sessions } = await get<SessionsResponse>("/api/sessions");
    expect(sessions).toMatchObject([{ name: "shop", status: "running", calls: 2 }]);
    const id = sessions[0]!.id;
    const first = await get<SessionResponse>(`/api/sessions/${id}`);
    expect(first.live).toBe(true);
    expect(first.root.attributes).toMatchObject({ "runtrace.otlp.received": 2, "runtrace.otlp.waiting": 2 });
    const early = await get<CallsResponse>(`/api/sessions/${id}/calls`);
    expect(early.calls.map((c) => [c.node, c.parentId, c.depth])).toEqual([
      ["c1", "0", 1],
      ["c2", "0", 1],
    ]);

    const stream = new EventReader(await fetch(new URL(`/api/sessions/${id}/stream`, viewer.url)));
    /** What the stream said last of each call. */
    const latest = () => {
      const calls = new Map<string, FlatCall>();
      for (const e of stream.events)
        if (e.event === "call") calls.set((e.data as FlatCall).node, e.data as FlatCall);
      return calls;
    };
    try {
      await stream.until((e) => e.event === "session");
      // Their parent comes: they move under it, live.
      await post([protoSpan(B, ROOT, "b", 1, 6)]);
      const progress = await stream.until(
        (e) =>
          e.event === "session" &&
          (e.data as SessionResponse).root.attributes["runtrace.otlp.received"] === 3,
      );
      expect((progress.data as SessionResponse).summary.status).toBe("running");
      expect(latest().get("c1")).toMatchObject({ parentId: B, depth: 2 });
      expect(latest().get("b")).toMatchObject({ parentId: "0", depth: 1, childCount: 2 });

      // The root span: the whole tree comes, then the end.
      await post([protoSpan(ROOT, undefined, "GET /work", 0, 10)]);
      const end = await stream.until((e) => e.event === "end");
      expect([...latest().keys()].sort()).toEqual(["GET /work", "b", "c1", "c2"]);
      expect(latest().get("c1")).toMatchObject({ parentId: B, depth: 3 });
      expect(latest().get("b")).toMatchObject({ parentId: ROOT, depth: 2 });
      expect((end.data as SessionResponse).summary).toMatchObject({
        name: "GET /work",
        status: "ok",
        calls: 4,
      });
      expect((end.data as SessionResponse).root.attributes).toEqual({ "service.name": "shop" });
    } finally {
      await stream.close();
    }

    // A span that outlived its root still comes, and the API shows it.
    await post([protoSpan(LATE, ROOT, "late", 8, 40)]);
    const page = await get<CallsResponse>(`/api/sessions/${id}/calls`);
    expect(page.total).toBe(5);
    expect(page.calls.find((c) => c.node === "late")).toMatchObject({ parentId: ROOT, status: "ok" });
  });
});
