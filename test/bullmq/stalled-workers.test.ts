/**
 * 1,000 remote calls from 50 concurrent sessions, run by three worker processes that are SIGKILLed
 * at random during the run and started again. BullMQ finds the killed workers' jobs stalled and runs
 * them again; every call still ends with its own result, and every tree is exact: under each remote
 * call, one record per attempt, the lost ones `interrupted`, the last one with the worker's calls.
 */
import { closeRemoteConnections, remoteNode } from "@runtrace/bullmq";
import * as rt from "@runtrace/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../helpers/redis-server.js";
import { ensureBuilt, startWorkerProcess, stopWorkerProcess, type WorkerProcess } from "./workers.js";

const SESSIONS = 50;
const CALLS_PER_SESSION = 20;
const QUEUE = "stalled";

let redis: RedisServer;
const workers: WorkerProcess[] = [];
const env = () => ({ REDIS_PORT: String(redis.port), QUEUE, CONCURRENCY: "10" });

beforeAll(async () => {
  ensureBuilt();
  redis = await startRedis();
  workers.push(...(await Promise.all([1, 2, 3].map(() => startWorkerProcess(env())))));
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => stopWorkerProcess(worker, "SIGKILL")));
  await closeRemoteConnections();
  await redis?.stop();
}, 30_000);

/** Every record of a tree, with its parent (checked to be the record it hangs under). */
function walk(
  record: rt.CallRecord,
  visit: (record: rt.CallRecord, parent: rt.CallRecord | undefined) => void,
) {
  const go = (node: rt.CallRecord, parent: rt.CallRecord | undefined) => {
    visit(node, parent);
    for (const child of node.children) go(child, node);
  };
  go(record, undefined);
}

describe("remote calls while workers are killed", () => {
  it("ends every call with its own result and an exact tree; lost attempts show as interrupted", async () => {
    const work = remoteNode<[number], string>("work", { queue: QUEUE, connection: redis.connection });
    let running = true;
    let kills = 0;
    const restarts: Promise<unknown>[] = [];
    const ready = new Set(workers);
    const killer = (async () => {
      while (running) {
        await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 200));
        // Keep two workers taking jobs; the one killed starts again meanwhile.
        if (!running || ready.size < 2) continue;
        const victims = [...ready];
        const victim = victims[Math.floor(Math.random() * victims.length)]!;
        ready.delete(victim);
        await stopWorkerProcess(victim, "SIGKILL");
        kills++;
        const slot = workers.indexOf(victim);
        restarts.push(
          startWorkerProcess(env()).then((started) => {
            workers[slot] = started;
            ready.add(started);
          }),
        );
      }
    })();

    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, async (_, s) => {
        const session = new rt.Session({ name: `caller ${s}`, store: rt.memoryStore() });
        const results = await session.run(async () => {
          const out: string[] = [];
          for (let c = 0; c < CALLS_PER_SESSION; c++)
            out.push(await rt.call(work, s * CALLS_PER_SESSION + c));
          return out;
        });
        return { session, results };
      }),
    );
    running = false;
    await killer;
    await Promise.all(restarts);

    expect(kills).toBeGreaterThanOrEqual(3);
    let interrupted = 0;
    let calls = 0;
    for (const [s, { session, results }] of sessions.entries()) {
      const expected = Array.from({ length: CALLS_PER_SESSION }, (_, c) => {
        const n = s * CALLS_PER_SESSION + c;
        return `a${n}-b${n}`;
      });
      expect(results).toEqual(expected);
      const root = session.tree.root;
      const ids = new Set<string>();
      walk(root, (record, parent) => {
        expect(ids.has(record.id), `id ${record.id} twice in one session`).toBe(false);
        ids.add(record.id);
        expect(record.sessionId).toBe(root.sessionId);
        expect(record.parentId).toBe(parent?.id ?? null);
      });
      expect(root.children.map((call) => call.output)).toEqual(expected);
      for (const call of root.children) {
        calls++;
        expect(call).toMatchObject({ node: "work", status: "ok" });
        const attempts = call.children;
        expect(call.attempts).toBe(attempts.length);
        expect(call.events.filter((event) => event.name === "retry")).toHaveLength(attempts.length - 1);
        const last = attempts.at(-1)!;
        expect(last).toMatchObject({ node: "work", status: "ok", output: call.output });
        expect(last.attributes["runtrace.remote.attempt"]).toBe(attempts.length);
        expect(last.attributes["runtrace.remote.pid"]).toBe(call.attributes["runtrace.remote.pid"]);
        const n = Number(String(call.output).slice(1, String(call.output).indexOf("-")));
        expect(last.children.map((step) => [step.node, step.status, step.output])).toEqual([
          ["step", "ok", `a${n}`],
          ["step", "ok", `b${n}`],
        ]);
        for (const earlier of attempts.slice(0, -1)) {
          // Lost with its worker, or (rarely) done but its result lost when the worker died before saying so.
          expect(["interrupted", "ok"]).toContain(earlier.status);
          if (earlier.status === "interrupted") {
            interrupted++;
            expect(earlier.error?.name).toBe("WorkerLostError");
            expect(earlier.children).toEqual([]);
          }
        }
      }
    }
    expect(calls).toBe(SESSIONS * CALLS_PER_SESSION);
    expect(interrupted, `${kills} workers killed, yet no attempt was interrupted`).toBeGreaterThan(0);
  }, 90_000);
});
