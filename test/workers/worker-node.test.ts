import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as rt from "@runtrace/core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { closeWorkerPools } from "../../packages/core/src/workers/pools.js";

// Worker threads load the built package (the fixture imports @runtrace/core from dist).
const built = fileURLToPath(new URL("../../packages/core/dist/workers/worker-entry.js", import.meta.url));
const heavy = new URL("./fixtures/heavy.mjs", import.meta.url);

let store: rt.MemoryStore;
beforeEach(() => {
  expect(existsSync(built), "packages/core/dist is missing: run `npx tsc -b` first").toBe(true);
  store = rt.memoryStore();
  rt.configure({ store });
});
afterAll(() => closeWorkerPools());

const scratch = mkdtempSync(join(tmpdir(), "runtrace-workers-"));
let files = 0;
function scratchFile(): string {
  const file = join(scratch, `${++files}.txt`);
  writeFileSync(file, "");
  return file;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inSession<T>(
  fn: () => Promise<T>,
): Promise<{ value?: T; error?: unknown; tree: rt.CallTree }> {
  const session = new rt.Session({ name: "caller" });
  try {
    return { value: await session.run(fn), tree: session.tree };
  } catch (error) {
    return { error, tree: session.tree };
  }
}

function shape(tree: rt.CallTree): unknown {
  const of = (record: rt.CallRecord): unknown => {
    const children = record.children.map(of);
    return children.length === 0 ? record.node : { [record.node]: children };
  };
  return tree.root.children.map(of);
}

describe("rt.workerNode", () => {
  it("runs a node in a worker thread and puts the calls it made there under its record", async () => {
    const parse = rt.workerNode(heavy, "parse", { threads: 2 });
    const { value, tree } = await inSession(() => rt.call(parse, "one two three"));
    expect(value).toEqual({ words: 3, thread: expect.any(Number) });
    expect(shape(tree)).toEqual([{ parse: ["tokenize", "count"] }]);
    const record = tree.find("parse")!;
    expect(record.status).toBe("ok");
    expect(record.input).toEqual(["one two three"]);
    // Where it ran, and what the node in the worker put on its own record.
    expect(record.attributes).toMatchObject({
      "runtrace.worker.thread": (value as { thread: number }).thread,
      "process.pid": process.pid,
      "host.name": hostname(),
      "parser.version": 2,
    });
    expect(record.events.map((event) => [event.name, event.data])).toEqual([["tokenized", { words: 3 }]]);
    // At the time it happened in the worker, inside the call.
    const [tokenized] = record.events;
    expect(tokenized!.time).toBeGreaterThanOrEqual(tree.find("tokenize")!.end!);
    expect(tokenized!.time).toBeLessThanOrEqual(tree.find("count")!.start);
    const tokenize = tree.find("tokenize")!;
    expect(tokenize.parentId).toBe(record.id);
    expect(tokenize.input).toEqual(["one two three"]);
    expect(tokenize.output).toEqual(["one", "two", "three"]);
    // Grafted records belong to the caller's session, and are stored with it.
    expect(tokenize.sessionId).toBe(tree.root.sessionId);
    const stored = await store.readSession(tree.root.sessionId);
    expect(stored.find("count")?.output).toBe(3);
  });

  it("runs a plain exported function: its calls go straight under the worker call", async () => {
    const summarize = rt.workerNode<(text: string) => Promise<string>>(heavy, "summarize", { threads: 2 });
    const { value, tree } = await inSession(() => rt.call(summarize, "alpha beta gamma"));
    expect(value).toBe("alpha beta");
    expect(shape(tree)).toEqual([{ summarize: ["tokenize"] }]);
  });

  it("runs parallel calls on several threads, each with its own children", async () => {
    const parse = rt.workerNode(heavy, "parse", { threads: 2 });
    const texts = ["a", "b b", "c c c", "d d d d", "e e e e e", "f f f f f f"];
    const { value, tree } = await inSession(() => rt.map(parse, texts));
    expect((value as Array<{ words: number }>).map((out) => out.words)).toEqual([1, 2, 3, 4, 5, 6]);
    const calls = tree.root.children;
    expect(calls).toHaveLength(6);
    for (const call of calls) {
      const [tokenize, count] = call.children;
      expect([tokenize?.node, count?.node]).toEqual(["tokenize", "count"]);
      // Each worker call's children are its own: the same text went in.
      expect(tokenize!.input).toEqual(call.input);
      expect(count!.output).toBe((call.output as { words: number }).words);
    }
    const threads = new Set(calls.map((call) => call.attributes["runtrace.worker.thread"]));
    expect(threads.size).toBe(2);
  });

  it("rejects with the worker's error: name, message, code and the worker-side stack", async () => {
    const fail = rt.workerNode(heavy, "fail", { threads: 2 });
    const { error, tree } = await inSession(() => rt.call(fail, "bad input"));
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "RangeError", message: "bad input", code: "E_PARSE" });
    expect((error as Error).stack).toContain("heavy.mjs");
    const record = tree.find("fail")!;
    expect(record.status).toBe("error");
    expect(record.error).toMatchObject({ name: "RangeError", message: "bad input" });
  });

  it("retries a failing worker call like any node", async () => {
    const fail = rt.workerNode(heavy, "fail", { threads: 2, retry: { attempts: 2, delayMs: 1 } });
    const { error, tree } = await inSession(() => rt.call(fail, "still bad"));
    expect(rt.isRuntraceError(error) && error.code).toBe("RUNTRACE_RETRY_EXHAUSTED");
    expect(tree.find("fail")!.attempts).toBe(2);
  });

  it("keeps `concurrency`: at most that many calls run at once, whatever the pool's size", async () => {
    type Stamp = (ms: number) => Promise<{ start: number; end: number }>;
    const overlaps = (spans: Array<{ start: number; end: number }>) =>
      spans.some((a, i) => spans.some((b, j) => i !== j && a.start < b.end && b.start < a.end));
    const free = rt.workerNode<Stamp>(heavy, "stamp", { threads: 2 });
    const gated = rt.workerNode<Stamp>(heavy, "stamp", { threads: 2, concurrency: 1, name: "gated" });
    await rt.map(free, [1, 1]); // both threads warm
    expect(overlaps(await rt.map(free, [200, 200]))).toBe(true);
    const { value, tree } = await inSession(() => rt.map(gated, [100, 100, 100]));
    expect(overlaps(value!)).toBe(false);
    expect(tree.findAll("gated").filter((call) => (call.waitMs ?? 0) > 0).length).toBeGreaterThan(0);
  });

  it("rejects an argument that cannot be copied, naming it, before anything runs", async () => {
    const parse = rt.workerNode(heavy, "parse", { threads: 2 });
    const onProgress = () => {};
    const { error, tree } = await inSession(() => rt.call(parse, { text: "a", onProgress } as never));
    expect(error).toBeInstanceOf(rt.ValidationError);
    const message = (error as Error).message;
    expect(message).toContain('Invalid argument "args[0]" for node "parse"');
    expect(message).toContain("function onProgress at `args[0].onProgress`");
    expect(message).toContain("Pass plain data");
    const record = tree.find("parse")!;
    expect(record.status).toBe("error");
    expect(record.attributes["runtrace.worker.thread"]).toBeUndefined();
    expect(record.children).toEqual([]);
  });

  it("rejects a result that cannot be copied back, naming where it is", async () => {
    const make = rt.workerNode(heavy, "makeFunction", { threads: 2 });
    const { error } = await inSession(() => rt.call(make));
    expect((error as Error).message).toContain("function run at `result.run`");
  });

  it("names what cannot be copied in large values too, on both sides", async () => {
    const parse = rt.workerNode(heavy, "parse", { threads: 2 });
    const long: unknown[] = Array.from({ length: 5000 }, (_, i) => i);
    long.push(function onDone() {});
    const { error } = await inSession(() => rt.call(parse, long as never));
    expect(error).toBeInstanceOf(rt.ValidationError);
    expect((error as Error).message).toContain("function onDone at `args[0][5000]`");
    const hidden = rt.workerNode(heavy, "hiddenFunction", { threads: 2 });
    const back = await inSession(() => rt.call(hidden));
    expect((back.error as Error).message).toContain("returned function (anonymous) at `result[5000]`");
    expect(await rt.call(parse, "still works")).toMatchObject({ words: 2 });
  });

  it("moves large arguments and results intact", async () => {
    const sumLarge = rt.workerNode(heavy, "sumLarge", {
      threads: 2,
      record: { input: false, output: false },
    });
    const values = Array.from({ length: 50_000 }, (_, i) => i % 7);
    const out = (await rt.call(sumLarge, values)) as { sum: number; doubled: number[] };
    expect(out.sum).toBe(values.reduce((a, b) => a + b, 0));
    expect(out.doubled).toHaveLength(50_000);
    expect(out.doubled[49_999]).toBe(values[49_999]! * 2);
  });

  it("says which exports a module has when the name is wrong", async () => {
    const missing = rt.workerNode(heavy, "notAFunction", { threads: 2 });
    const { error } = await inSession(() => rt.call(missing));
    expect((error as Error).message).toMatch(
      /has no function exported as "notAFunction" \(got 42 \(number\)\); its function exports: .*parse, .*summarize/,
    );
  });

  it("rejects at definition a module that is not a file URL or absolute path, or does not exist", () => {
    expect(() => rt.workerNode("./heavy.js", "parse")).toThrow(
      /new URL\("\.\/heavy\.js", import\.meta\.url\)/,
    );
    expect(() => rt.workerNode(new URL("./fixtures/none.mjs", import.meta.url), "parse")).toThrow(
      /there is no module at/,
    );
    expect(() => rt.workerNode(heavy, "parse", { threads: 0 })).toThrow(/`threads` to be a positive integer/);
  });

  it("times out: the thread is terminated after the grace period and the pool works afterwards", async () => {
    const options = { threads: 1, graceMs: 100 };
    const nap = rt.workerNode<(ms: number) => Promise<number>>(heavy, "nap", options);
    const first = await rt.call(nap, 0); // a warm thread: the timeout measures the work alone
    const spin = rt.workerNode(heavy, "spin", { ...options, timeoutMs: 300 });
    const ticks = scratchFile();
    const started = performance.now();
    const { error, tree } = await inSession(() => rt.call(spin, ticks, 20_000));
    expect(rt.isTimeoutError(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(tree.find("spin")!.status).toBe("timeout");
    // The busy loop ignores signals: only terminating its thread stops it.
    await sleep(1000);
    const size = statSync(ticks).size;
    expect(size).toBeGreaterThan(0);
    await sleep(300);
    expect(statSync(ticks).size).toBe(size);
    // A new thread took its place.
    const next = await rt.call(nap, 0);
    expect(next).not.toBe(first);
  });

  it("cancels: the worker's rt.signal() aborts and the calls made before the stop stay in the tree", async () => {
    const waitForStop = rt.workerNode(heavy, "waitForStop", { threads: 2 });
    const stopped = scratchFile();
    const abort = new AbortController();
    const { error, tree } = await inSession(async () => {
      const call = rt.callWith({ signal: abort.signal }, waitForStop, stopped);
      for (let i = 0; i < 200 && readFileSync(stopped, "utf8") !== "started"; i++) await sleep(50);
      abort.abort(new Error("user pressed stop"));
      await call.catch(() => {});
      // The worker stops cooperatively and answers within the grace period.
      for (let i = 0; i < 50 && !readFileSync(stopped, "utf8").startsWith("stopped"); i++) await sleep(50);
      await sleep(100);
      return call;
    });
    expect(rt.isCancelledError(error)).toBe(true);
    expect(readFileSync(stopped, "utf8")).toMatch(/^stopped: .*user pressed stop/);
    const record = tree.find("waitForStop")!;
    expect(record.status).toBe("cancelled");
    expect(record.children.map((child) => child.node)).toEqual(["tokenize"]);
  });

  it("rejects when the thread exits under the call, and the pool works afterwards", async () => {
    const exitThread = rt.workerNode(heavy, "exitThread", { threads: 1 });
    const { error, tree } = await inSession(() => rt.call(exitThread, 3));
    expect((error as Error).message).toMatch(
      /worker thread running "exitThread" .* stopped before it answered: .*code: 3/,
    );
    expect(tree.find("exitThread")!.status).toBe("error");
    const nap = rt.workerNode<(ms: number) => Promise<number>>(heavy, "nap", { threads: 1 });
    expect(await rt.call(nap, 1)).toEqual(expect.any(Number));
  });
});
