import { describe, expect, it } from "vitest";
import * as rt from "../../index.js";
import { exportCalls, type RemoteCalls } from "../../session-file/graft.js";
import { graftHere, recordAttempts, remoteCaller, remoteEvent } from "./here.js";

const leaf = rt.functionNode(async (n: number) => n * 2, { name: "leaf" });

/** What a worker elsewhere would send back: the calls of a session that ran `leaf`. */
async function remoteRun(): Promise<RemoteCalls> {
  const session = new rt.Session({ name: "worker", store: null });
  await session.run(() => rt.call(leaf, 3));
  return exportCalls(session.tree);
}

describe("@runtrace/core/remote for the running call", () => {
  it("tells who calls, grafts what ran elsewhere under the call, and records attempts and events made there", async () => {
    const remote = await remoteRun();
    let caller: ReturnType<typeof remoteCaller>;
    const callRemote = rt.functionNode(
      async () => {
        caller = remoteCaller();
        const grafted = graftHere(remote);
        expect(grafted?.grafted.map((record) => record.node)).toEqual(["leaf"]);
        recordAttempts(2);
        remoteEvent("retry", { attempt: 1 }, 1_000);
        return "done";
      },
      { name: "callRemote" },
    );
    const session = new rt.Session({ name: "caller", store: null });
    await session.run(() => rt.call(callRemote));
    const record = session.tree.root.children[0]!;
    expect(caller!).toEqual({ session: session.id, call: record.id, recording: true });
    expect(record.children.map((child) => [child.node, child.parentId, child.output])).toEqual([
      ["leaf", record.id, 6],
    ]);
    expect(record.attempts).toBe(2);
    expect(record.events).toEqual([{ name: "retry", time: 1_000, data: { attempt: 1 } }]);
  });

  it("puts the given attributes on the calls of the remote session's top level only", async () => {
    const session = new rt.Session({ name: "worker", store: null });
    const outer = rt.functionNode(async () => rt.call(leaf, 1), { name: "outer" });
    await session.run(() => rt.call(outer));
    const remote = exportCalls(session.tree);
    const callRemote = rt.functionNode(
      async () =>
        graftHere(remote, { "runtrace.remote.attempt": 2, token: "sk-abcdefghijklmnopqrstuvwxyz0123" }),
      { name: "callRemote" },
    );
    const caller = new rt.Session({ name: "caller", store: null });
    await caller.run(() => rt.call(callRemote));
    const top = caller.tree.find("outer")!;
    expect(top.attributes).toEqual({
      "runtrace.remote.attempt": 2,
      token: "[redacted]",
      "runtrace.remote.session": session.id,
      "runtrace.remote.session_name": "worker",
    });
    expect(caller.tree.find("leaf")!.attributes).toEqual({});
  });

  it("does nothing outside a call, and refuses a count of attempts that is not a positive integer", async () => {
    const remote = await remoteRun();
    expect(remoteCaller()).toBeUndefined();
    expect(graftHere(remote)).toBeUndefined();
    expect(() => recordAttempts(0)).toThrow(/positive integer, got 0/);
    await rt.session({ name: "top", store: null }, async () => {
      expect(remoteCaller()).toBeUndefined();
      expect(graftHere(remote)).toBeUndefined();
    });
  });

  it("grafts a call that was interrupted where it ran (its process died)", async () => {
    const lost: RemoteCalls = {
      v: 1,
      session: { id: "elsewhere", name: "worker" },
      calls: [
        {
          type: "call",
          id: "1",
          parent: "0",
          node: "work",
          kind: "function",
          start: 1,
          end: 2,
          status: "interrupted",
          error: { name: "WorkerLostError", message: "gone" },
        },
      ],
    };
    const callRemote = rt.functionNode(async () => graftHere(lost)?.problems, { name: "callRemote" });
    const session = new rt.Session({ name: "caller", store: null });
    expect(await session.run(() => rt.call(callRemote))).toEqual([]);
    const grafted = session.tree.root.children[0]!.children[0]!;
    expect(grafted).toMatchObject({
      node: "work",
      status: "interrupted",
      error: { name: "WorkerLostError" },
    });
  });
});
