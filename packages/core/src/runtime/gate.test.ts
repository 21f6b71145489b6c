import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";
import { nodeHandle } from "../nodes/def.js";
import { makeNode } from "./make-node.js";

beforeEach(() => {
  rt.configure({ store: null });
});

/** Runs `calls` at once in one session and returns how many were running at the peak. */
async function peakOf(calls: Array<() => Promise<unknown>>, counter: { running: number; peak: number }) {
  counter.peak = 0;
  await rt.session("gates", () => Promise.all(calls.map((run) => run())));
  return counter.peak;
}

function counted(counter: { running: number; peak: number }) {
  return async () => {
    counter.running++;
    counter.peak = Math.max(counter.peak, counter.running);
    await sleep(10);
    counter.running--;
  };
}

describe("a node's concurrency limit is one gate for all its calls", () => {
  it("across the instances of a decorated method", async () => {
    const counter = { running: 0, peak: 0 };
    const work = counted(counter);
    class Worker {
      @rt.functionNode({ concurrency: 1 })
      async step(): Promise<void> {
        await work();
      }
    }
    const [a, b] = [new Worker(), new Worker()];
    expect(
      await peakOf([() => a.step(), () => b.step(), () => rt.call(a.step), () => b.step()], counter),
    ).toBe(1);
  });

  it("and for a copy of its definition (what an agent runs a plain node as a tool with)", async () => {
    const counter = { running: 0, peak: 0 };
    const node = rt.functionNode(counted(counter), { name: "limited", concurrency: 2 });
    const handle = nodeHandle(node)!;
    const asTool = makeNode({ ...handle.def, kind: "tool" }, handle.self);
    const calls = [node, asTool, node, asTool, asTool, node].map((n) => () => rt.call(n));
    expect(await peakOf(calls, counter)).toBe(2);
  });

  it("while two nodes with the same limit each have their own", async () => {
    const counter = { running: 0, peak: 0 };
    const first = rt.functionNode(counted(counter), { name: "first", concurrency: 1 });
    const second = rt.functionNode(counted(counter), { name: "second", concurrency: 1 });
    expect(await peakOf([() => first(), () => second(), () => first(), () => second()], counter)).toBe(2);
  });
});
