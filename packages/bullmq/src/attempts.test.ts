// The attempts of a finished job put on the calling record: lost ones (their worker died before it
// wrote a report) included, one after another.
import * as rt from "@runtrace/core";
import { describe, expect, it } from "vitest";
import { allAttempts, recordJob } from "./attempts.js";
import type { AttemptReport } from "./protocol.js";

describe("recordJob", () => {
  it("shows every attempt, two lost in a row before their reports among them, with times in order", async () => {
    const start = Date.now();
    const last: AttemptReport = {
      attempt: 3,
      host: "worker-b",
      pid: 42,
      start: start + 30,
      end: start + 31,
      status: "ok",
      calls: { v: 1, session: {} as never, calls: [] },
    };
    // Attempts 1 and 2 left no report: both workers died within their first milliseconds.
    const attempts = allAttempts(new Map(), last);
    const remote = rt.functionNode(async () => recordJob("work", "function", attempts, start), {
      name: "work",
    });
    const session = new rt.Session({ name: "caller", store: null });
    await session.run(() => rt.call(remote));
    const call = session.tree.find("work")!;
    expect(call.attempts).toBe(3);
    expect(call.children.map((c) => [c.status, c.attributes["runtrace.remote.attempt"]])).toEqual([
      ["interrupted", 1],
      ["interrupted", 2],
    ]);
    const retries = call.events.filter((event) => event.name === "retry");
    expect(retries.map((event) => (event.data as { attempt: number }).attempt)).toEqual([1, 2]);
    for (const child of call.children) {
      expect(Number.isFinite(child.start) && Number.isFinite(child.end)).toBe(true);
      expect(child.end!).toBeGreaterThanOrEqual(child.start);
    }
    expect(call.children[1]!.start).toBeGreaterThanOrEqual(call.children[0]!.end!);
  });
});
