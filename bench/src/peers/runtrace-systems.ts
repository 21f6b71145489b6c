/**
 * The floor and runtrace's rows: `rt.call` on nodes, a session per root unless said otherwise.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ContextManager, TracerProvider } from "@opentelemetry/api";
import * as rt from "@runtrace/core";
import type { Tracing } from "@runtrace/core/otel";
import type { Sink } from "./sink.js";
import type { System } from "./system.js";
import { CALLS_PER_ROOT, fanOut, fanOutWaiting, type Traced, type Work } from "./workload.js";

const floorStorage = new AsyncLocalStorage<{ id: number }>();
let floorIds = 0;

/** The floor: one `AsyncLocalStorage.run` around `await fn()` per function, nothing recorded. */
export function floor(): System {
  const traced: Traced = (_name, body) => () =>
    floorStorage.run({ id: floorIds++ }, async () => await body());
  const root = fanOut(traced);
  return {
    name: "floor: als.run(store, async () => await fn())",
    perRoot: 0,
    async run(roots) {
      for (let i = 0; i < roots; i++) await root();
    },
  };
}

const asNode: Traced = (name, body) => {
  const node = rt.functionNode(body, { name });
  return () => rt.call(node);
};
const runtraceRoot = fanOut(asNode);
const waitingRoot = fanOutWaiting(asNode);

/** Each root in a session of its own, stored in `store` (`null`: none). */
async function sessionPerRoot(
  roots: number,
  store: rt.Store | null,
  root: Work = runtraceRoot,
): Promise<void> {
  for (let i = 0; i < roots; i++) await new rt.Session({ name: "root", store }).run(root);
}

async function callsIn(store: rt.Store): Promise<number> {
  return (await store.listSessions()).reduce((calls, session) => calls + session.calls, 0);
}

export function memoryStore(
  root: Work = runtraceRoot,
  name = "runtrace, memory store, session per root",
): System {
  let store: rt.MemoryStore | undefined;
  return {
    name,
    perRoot: CALLS_PER_ROOT,
    prepare() {
      rt.configure({ record: true });
      store = rt.memoryStore();
    },
    run: (roots) => sessionPerRoot(roots, store!, root),
    async recorded() {
      const calls = await callsIn(store!);
      // Let the sample's records go: the other systems' samples must not run with them on the heap.
      store = undefined;
      return calls;
    },
  };
}

/** The memory store, one session for all of a sample's roots (the shape of `jsonlOneSession`). */
export function memoryOneSession(): System {
  let store: rt.MemoryStore | undefined;
  return {
    name: "runtrace, memory store, one session",
    perRoot: CALLS_PER_ROOT,
    prepare() {
      rt.configure({ record: true });
      store = rt.memoryStore();
    },
    async run(roots) {
      await new rt.Session({ name: "roots", store: store! }).run(async () => {
        for (let i = 0; i < roots; i++) await runtraceRoot();
      });
    },
    async recorded() {
      const calls = await callsIn(store!);
      store = undefined;
      return calls;
    },
  };
}

export function recordingOff(): System {
  return {
    name: "runtrace, recording off",
    perRoot: 0,
    prepare() {
      rt.configure({ record: false });
    },
    async run(roots) {
      await sessionPerRoot(roots, null);
    },
  };
}

/** The JSONL store in a new folder under `dir` per sample, removed once counted. */
function jsonl(dir: string, name: string, run: (roots: number, store: rt.Store) => Promise<void>): System {
  let folder = "";
  let samples = 0;
  let store: rt.Store | undefined;
  return {
    name,
    perRoot: CALLS_PER_ROOT,
    prepare() {
      rt.configure({ record: true });
      folder = join(dir, `${name.replace(/\W+/g, "-")}-${samples++}`);
      mkdirSync(folder, { recursive: true });
      store = rt.jsonlStore({ dir: folder });
    },
    async run(roots) {
      await run(roots, store!);
      // The sample ends when the lines are written.
      await rt.flush();
    },
    async recorded() {
      const calls = await callsIn(store!);
      store = undefined;
      rmSync(folder, { recursive: true, force: true });
      return calls;
    },
  };
}

export function jsonlOneSession(dir: string): System {
  return jsonl(dir, "runtrace, JSONL store, one session", async (roots, store) => {
    await new rt.Session({ name: "roots", store }).run(async () => {
      for (let i = 0; i < roots; i++) await runtraceRoot();
    });
  });
}

export function jsonlSessionPerRoot(dir: string): System {
  return jsonl(dir, "runtrace, JSONL store, session per root", (roots, store) =>
    sessionPerRoot(roots, store),
  );
}

/** The memory store, a session per root whose calls wait for the next turn (see `fanOutWaiting`). */
export function memoryStoreWaiting(): System {
  return memoryStore(waitingRoot, "runtrace, memory store, session per root, leaves wait a turn");
}

/** The JSONL store, a session per root whose calls wait for the next turn: written over several batches. */
export function jsonlSessionPerRootWaiting(dir: string): System {
  return jsonl(dir, "runtrace, JSONL store, session per root, leaves wait a turn", (roots, store) =>
    sessionPerRoot(roots, store, waitingRoot),
  );
}

/**
 * runtrace with `setupTracing`: a session per root (its span is the root of the trace, one span more
 * than the calls), nothing stored locally, spans exported to the sink; flushed inside the window.
 */
export function withSetupTracing(
  sink: Sink,
  tracing: Tracing,
  provider: TracerProvider,
  contextManager: ContextManager,
): System {
  return {
    name: "runtrace + setupTracing (OTLP protobuf)",
    perRoot: CALLS_PER_ROOT + 1,
    provider,
    contextManager,
    async prepare() {
      rt.configure({ record: true });
      await sink.take();
    },
    async run(roots) {
      await sessionPerRoot(roots, null);
      await tracing.flush();
    },
    delivered: async (roots) => (await sink.waitFor("spans", roots * (CALLS_PER_ROOT + 1))).waited,
    recorded: async () => (await sink.take()).spans,
  };
}
