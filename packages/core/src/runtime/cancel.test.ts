import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import { collectUnhandledRejections } from "../../../../test/helpers/unhandled.js";
import * as rt from "../index.js";

const unhandled = collectUnhandledRejections();

beforeEach(() => {
  rt.configure({ store: null });
});

describe("timeouts", () => {
  it("a node with timeoutMs 50 whose child sleeps 1 s: NodeTimeoutError after ~50 ms, the child cancelled", async () => {
    let childSignal: AbortSignal | undefined;
    const slowChild = rt.functionNode(
      async () => {
        childSignal = rt.signal();
        await sleep(1000, undefined, { signal: childSignal });
        return "too late";
      },
      { name: "slowChild" },
    );
    const parent = rt.functionNode(() => rt.call(slowChild), { name: "parent", timeoutMs: 50 });
    const session = new rt.Session({ name: "timeout" });
    const started = performance.now();
    const error = await session.run(() => rt.call(parent)).catch((e: unknown) => e);
    const elapsed = performance.now() - started;

    expect(error).toBeInstanceOf(rt.NodeTimeoutError);
    expect((error as Error).message).toBe('Node "parent" timed out after 50 ms (timeoutMs: 50).');
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(500);
    expect(childSignal?.aborted).toBe(true);
    expect(session.tree.find("parent")).toMatchObject({
      status: "timeout",
      error: { name: "NodeTimeoutError" },
    });
    const child = session.tree.find("slowChild")!;
    expect(child.status).toBe("cancelled");
    expect(child.end! - child.start).toBeLessThan(500);
    await sleep(20);
    expect(unhandled).toEqual([]);
  });

  it("retries a timed-out attempt when retry allows, each attempt with a fresh signal", async () => {
    const signals: AbortSignal[] = [];
    const sometimesSlow = rt.functionNode(
      async () => {
        signals.push(rt.signal());
        if (rt.current()!.attempt === 1) await sleep(1000, undefined, { signal: rt.signal() });
        return "fast enough";
      },
      { name: "sometimesSlow", timeoutMs: 30, retry: { attempts: 2, delayMs: 1 } },
    );
    const session = new rt.Session();
    expect(await session.run(() => rt.call(sometimesSlow))).toBe("fast enough");
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
    const record = session.tree.find("sometimesSlow")!;
    expect(record.attempts).toBe(2);
    expect(record.events.find((e) => e.name === "retry")?.data).toMatchObject({
      error: { name: "NodeTimeoutError" },
    });
  });

  it("rt.callWith gives one call its own timeout and name", async () => {
    const wait = rt.functionNode((ms: number) => sleep(ms, "done", { signal: rt.signal() }), {
      name: "wait",
    });
    const session = new rt.Session();
    await session.run(async () => {
      await expect(rt.callWith({ timeoutMs: 20, name: "wait.short" }, wait, 500)).rejects.toBeInstanceOf(
        rt.NodeTimeoutError,
      );
      expect(await rt.callWith({ timeoutMs: 500 }, wait, 1)).toBe("done");
    });
    expect(session.tree.root.children.map((r) => [r.node, r.status])).toEqual([
      ["wait.short", "timeout"],
      ["wait", "ok"],
    ]);
  });

  it("a session timeout cancels running calls and rejects run with NodeTimeoutError", async () => {
    const forever = rt.functionNode(() => sleep(5000, undefined, { signal: rt.signal() }), {
      name: "forever",
    });
    const session = new rt.Session({ name: "bounded", timeoutMs: 40 });
    const error = await session.run(() => rt.call(forever)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(rt.NodeTimeoutError);
    expect(session.status).toBe("timeout");
    expect(session.tree.find("forever")?.status).toBe("cancelled");
  });
});

describe("cancellation", () => {
  it("session.cancel() during a fan-out of 200 calls: all end cancelled, none left running in the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runtrace-cancel-"));
    const store = rt.jsonlStore({ dir });
    let started = 0;
    const item = rt.functionNode(
      async (i: number) => {
        started++;
        await sleep(2000 + i); // ignores its signal on purpose: cancellation must not wait for it
        return i;
      },
      { name: "item" },
    );
    const session = new rt.Session({ name: "fan-out", store });
    const run = session.run(() => Promise.all(Array.from({ length: 200 }, (_, i) => rt.call(item, i))));
    await sleep(30);
    expect(started).toBe(200);
    const cancelledAt = performance.now();
    session.cancel("user pressed stop");
    const error = await run.catch((e: unknown) => e);
    expect(performance.now() - cancelledAt).toBeLessThan(200);
    expect(error).toBeInstanceOf(rt.CancelledError);
    expect((error as Error).message).toContain("user pressed stop");
    expect(session.status).toBe("cancelled");
    const records = session.tree.findAll("item");
    expect(records).toHaveLength(200);
    expect(records.every((r) => r.status === "cancelled")).toBe(true);

    const stored = await rt.readSession(store.fileOf(session.id));
    expect(stored.root.status).toBe("cancelled");
    const storedItems = stored.findAll("item");
    expect(storedItems).toHaveLength(200);
    expect(storedItems.filter((r) => r.status === "running")).toEqual([]);
    expect(storedItems.every((r) => r.status === "cancelled" && r.end !== undefined)).toBe(true);
    await sleep(10);
    expect(unhandled).toEqual([]);
  });

  it("an aborted signal option cancels one call and its children", async () => {
    const controller = new AbortController();
    const inner = rt.functionNode(() => sleep(5000, undefined, { signal: rt.signal() }), { name: "inner" });
    const outer = rt.functionNode(() => rt.call(inner), { name: "outer" });
    const session = new rt.Session();
    const result = session.run(async () => {
      const pending = rt.callWith({ signal: controller.signal }, outer).catch((e: unknown) => e);
      await sleep(10);
      controller.abort(new Error("no longer needed"));
      return pending;
    });
    const error = await result;
    expect(error).toBeInstanceOf(rt.CancelledError);
    expect(session.status).toBe("ok");
    expect(session.tree.find("outer")?.status).toBe("cancelled");
    expect(session.tree.find("inner")?.status).toBe("cancelled");
  });

  it("calls made after the session was cancelled end cancelled at once, without running", async () => {
    let ran = false;
    const late = rt.functionNode(
      () => {
        ran = true;
      },
      { name: "late" },
    );
    const session = new rt.Session();
    const out = session.run(async () => {
      session.cancel();
      return rt.call(late);
    });
    await expect(out).rejects.toBeInstanceOf(rt.CancelledError);
    await sleep(5);
    expect(ran).toBe(false);
  });
});
