import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { closeRemoteConnections } from "@runtrace/bullmq";
import * as rt from "@runtrace/core";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { type RedisServer, startRedis } from "../../test/helpers/redis-server.js";
import { indexDocuments, startSummaryWorkers, type WorkerProcess, whereItRan } from "./remote-flow.js";

let redis: RedisServer | undefined;
let redisUrl = "";
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  for (const file of ["remote-flow-parse.js", "remote-flow-worker.js"]) {
    const built = fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
    expect(existsSync(built), "examples/dist is missing: run `npx tsc -b` first").toBe(true);
  }
  rt.configure({ store: null });
  // The worker processes inherit the environment: keep them on the offline model.
  vi.stubEnv("OPENAI_BASE_URL", "");
  vi.stubEnv("OPENAI_API_KEY", "");
  redis = await startRedis();
  redisUrl = `redis://127.0.0.1:${redis.port}`;
  workers = await startSummaryWorkers(redisUrl, 2);
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await closeRemoteConnections();
  await redis?.stop();
  vi.unstubAllEnvs();
}, 30_000);

it("parses in a worker thread and summarises on the worker processes, in one call tree", async () => {
  const { report, session } = await indexDocuments(redisUrl);

  expect(report.split("\n")[0]).toBe("# 3 documents, 6 chunks");
  expect(report).toContain(
    "## Heat pumps (heat, moves, pump, house)\n- A heat pump moves heat instead of making it.",
  );
  expect(report.match(/^- /gm)).toHaveLength(6);

  const flow = session.tree.root.children[0]!;
  expect([flow.node, flow.kind, flow.status]).toEqual(["indexDocuments", "flow", "ok"]);
  const [parse, summarize, merge] = flow.children;
  expect(flow.children.map((step) => step.node)).toEqual(["parse", "summarize", "report"]);

  // parse ran in a thread of this process; what it called there is under it.
  expect(parse!.attributes["runtrace.worker.thread"]).toEqual(expect.any(Number));
  expect(parse!.attributes["process.pid"]).toBe(process.pid);
  expect(parse!.children.map((c) => [c.node, c.status])).toEqual([
    ["tokenize", "ok"],
    ["tokenize", "ok"],
    ["tokenize", "ok"],
    ["scoreTerms", "ok"],
  ]);
  const chunks = parse!.output as { id: string }[];
  expect(chunks).toHaveLength(6);

  // One remote call per chunk, each run by one of the worker processes, with its calls there.
  const pids = workers.map((worker) => worker.pid);
  expect(pids).not.toContain(process.pid);
  expect(summarize!.children.map((call) => (call.input as [{ id: string }])[0].id)).toEqual(
    chunks.map((chunk) => chunk.id),
  );
  for (const call of summarize!.children) {
    expect([call.node, call.status]).toEqual(["summarizeChunk", "ok"]);
    expect(pids).toContain(call.attributes["runtrace.remote.pid"]);
    expect(call.attributes["runtrace.remote.host"]).toBe(hostname());
    const [ran] = call.children;
    expect(call.children).toHaveLength(1);
    expect(ran!.node).toBe("summarizeChunk");
    expect(ran!.children.map((c) => [c.node, c.kind, c.status])).toEqual([["summarize", "llm", "ok"]]);
  }

  expect(merge!.output).toBe(report);
  expect(whereItRan(session)[0]).toMatch(/^parse: thread \d+ of this process/);
});
