import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as rt from "../index.js";
import { currentFrame } from "../runtime/frame.js";
import { exportCalls, type GraftResult, graftCalls, type RemoteCalls } from "./graft.js";

const dir = mkdtempSync(join(tmpdir(), "runtrace-graft-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const leaf = rt.functionNode(async (n: number) => n * 2, { name: "leaf" });
const broken = rt.functionNode(
  async () => {
    throw new Error("no luck");
  },
  { name: "broken" },
);
const work = rt.functionNode(
  async (n: number) => {
    rt.event("halfway", { n });
    const doubled = await Promise.all([rt.call(leaf, n), rt.call(leaf, n + 1)]);
    await rt.call(broken).catch(() => undefined);
    return doubled;
  },
  { name: "work", kind: "tool", attributes: { team: "search" } },
);

/** A "remote" session, run here: what a server would send back. */
async function remoteRun(): Promise<{ remote: RemoteCalls; tree: rt.CallTree }> {
  const session = new rt.Session({ name: "tools/call work", store: null });
  await session.run(() => rt.call(work, 3));
  return { remote: exportCalls(session.tree), tree: session.tree };
}

/** Runs a caller whose one call grafts `remote` under itself; returns the session and what graft did. */
async function graftInCaller(remote: unknown, store: rt.Store | null = null) {
  let result: GraftResult | undefined;
  const callRemote = rt.functionNode(
    async () => {
      const frame = currentFrame()!;
      result = graftCalls(remote, frame.record, frame.session);
      return "done";
    },
    { name: "callRemote", kind: "tool" },
  );
  const session = new rt.Session({ name: "caller", store });
  await session.run(async () => {
    await rt.call(leaf, 1);
    await rt.call(callRemote);
    await rt.call(leaf, 2);
  });
  return { session, result: result! };
}

describe("exportCalls and graftCalls", () => {
  it("graft a remote session's calls under the calling record, exact and with ids of the caller's session", async () => {
    const { remote, tree: remoteTree } = await remoteRun();
    expect(remote.calls.map((c) => [c.type, c.id, c.parent, c.node])).toEqual([
      ["call", "1", "0", "work"],
      ["call", "2", "1", "leaf"],
      ["call", "3", "1", "leaf"],
      ["call", "4", "1", "broken"],
    ]);
    const { session, result } = await graftInCaller(remote);
    expect(result.problems).toEqual([]);
    const tree = session.tree;
    const caller = tree.find("callRemote")!;
    expect(caller.children.map((r) => r.node)).toEqual(["work"]);
    const grafted = caller.children[0]!;
    expect(grafted.parentId).toBe(caller.id);
    expect(grafted.children.map((r) => [r.node, r.status, r.parentId])).toEqual([
      ["leaf", "ok", grafted.id],
      ["leaf", "ok", grafted.id],
      ["broken", "error", grafted.id],
    ]);
    // Unique ids within the caller's session, local calls after the graft included.
    const ids = [...tree].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(tree.size).toBe(3 + 4);
    expect([...tree].every((r) => r.sessionId === session.id)).toBe(true);
    // Times, statuses, values, events, attributes as they were recorded where the calls ran.
    const original = remoteTree.find("work")!;
    expect([grafted.start, grafted.end, grafted.status, grafted.kind]).toEqual([
      original.start,
      original.end,
      "ok",
      "tool",
    ]);
    expect(grafted.input).toEqual([3]);
    expect(grafted.output).toEqual([6, 8]);
    expect(grafted.events.map((e) => [e.name, e.data])).toEqual([["halfway", { n: 3 }]]);
    expect(grafted.attributes).toMatchObject({
      team: "search",
      "runtrace.remote.session": remoteTree.root.sessionId,
      "runtrace.remote.session_name": "tools/call work",
    });
    expect(grafted.children[2]!.error).toMatchObject({ name: "Error", message: "no luck" });
    expect(grafted.children[0]!.attributes).toEqual({});
  });

  it("write grafted calls to the caller's store like its own: the stored tree reads back the same", async () => {
    const { remote } = await remoteRun();
    const { session } = await graftInCaller(remote, rt.jsonlStore({ dir }));
    await rt.flush();
    const stored = await rt.readSession(session.id, { dir });
    expect(stored.warnings).toEqual([]);
    expect(JSON.parse(JSON.stringify(stored.toJSON()))).toEqual(
      JSON.parse(JSON.stringify(session.tree.toJSON())),
    );
    expect(stored.find("callRemote")!.children[0]!.children).toHaveLength(3);
  });

  it("clean grafted values with the caller's redaction and limits", async () => {
    const remote: RemoteCalls = {
      v: 1,
      session: { id: "s", name: "remote" },
      calls: [
        {
          type: "call",
          id: "1",
          parent: "0",
          node: "login",
          kind: "tool",
          start: 1,
          end: 2,
          status: "ok",
          input: [{ password: "hunter2", text: "x".repeat(100_000) }],
          output: { apiKey: "sk-abcdefghijklmnopqrstuvwxyz012345" },
        },
      ],
    };
    const { session } = await graftInCaller(remote);
    const login = session.tree.find("login")!;
    const [input] = login.input as [{ password: string; text: string }];
    expect(input.password).not.toBe("hunter2");
    expect(input.text.length).toBeLessThan(100_000);
    expect(JSON.stringify(login.output)).not.toContain("sk-abcdefghijklmnopqrstuvwxyz012345");
  });

  it("skip lines that are not calls, with the calls under them, and say why", async () => {
    const good = {
      type: "call",
      id: "1",
      parent: "0",
      node: "a",
      kind: "tool",
      start: 1,
      end: 2,
      status: "ok",
    };
    const remote = {
      v: 1,
      session: { id: "s", name: "remote" },
      dropped: 5,
      calls: [
        good,
        { ...good, id: "2", parent: "1", kind: 'tool","x":"y' },
        { ...good, id: "3", parent: "2" },
        { ...good, id: "4", parent: "9" },
        { ...good, id: "1" },
        { ...good, id: "5", status: "fine" },
        { ...good, id: "6", end: 0 },
        { type: "start", id: "7", parent: "1", node: "stray", kind: "function", start: 1 },
        "nonsense",
      ],
    };
    const { session, result } = await graftInCaller(remote);
    expect(result.grafted.map((r) => [r.node, r.status])).toEqual([
      ["a", "ok"],
      ["stray", "interrupted"],
    ]);
    expect(result.dropped).toBe(5);
    expect(result.problems).toEqual([
      'call line 1: call 2 has kind tool","x":"y',
      "call line 2: call 3 names an unknown parent 2",
      "call line 3: call 4 names an unknown parent 9",
      "call line 4: id 1 appears twice",
      "call line 5: call 5 has status fine",
      "call line 6: call 6 has no valid end time",
      "call line 8: not an object",
    ]);
    expect(session.tree.find("a")!.children.map((r) => r.node)).toEqual(["stray"]);
    expect((await graftInCaller("junk")).result.problems).toEqual([
      "the remote calls are not an object with a `calls` array",
    ]);
  });

  it("leave out the last calls past the limits, never a parent without its children's parent", async () => {
    const { tree } = await remoteRun();
    const cut = exportCalls(tree, { calls: 2 });
    expect(cut.calls.map((c) => c.node)).toEqual(["work", "leaf"]);
    expect(cut.dropped).toBe(2);
    expect(exportCalls(tree, { chars: 10 })).toMatchObject({ calls: [], dropped: 4 });
  });

  it("graft nothing in a session that keeps no records", async () => {
    rt.configure({ record: false });
    try {
      const { remote } = await remoteRun();
      const { session, result } = await graftInCaller(remote);
      expect(result.grafted).toEqual([]);
      expect(session.tree.size).toBe(0);
    } finally {
      rt.configure({ record: true });
    }
  });
});
