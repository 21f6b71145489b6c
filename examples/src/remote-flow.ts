/**
 * Indexing documents with a flow whose steps run elsewhere: `parse` (tokenise, score terms by
 * tf-idf, cut into chunks) is CPU-bound and runs in a worker thread (`rt.workerNode`); `summarize`
 * fans out one job per chunk to worker processes through BullMQ on Redis (`remoteNode`, `rt.map`);
 * `report` merges the summaries here. The example starts two summarising workers as child
 * processes (remote-flow-worker.ts), as they would run on other machines. The printed tree is one
 * tree: the calls made in the thread and in the worker processes are under the calls that sent
 * them there, with the thread's id or the process' host and pid on each.
 *
 * Needs Redis: REDIS_URL (default redis://127.0.0.1:6379); `apt-get install redis-server` or
 * `docker run -p 6379:6379 redis` starts one.
 *
 * Run: node examples/dist/remote-flow.js
 *      (offline with a scripted model; set OPENAI_BASE_URL and OPENAI_API_KEY for a real one)
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { closeRemoteConnections, isRemoteError, remoteNode } from "@runtrace/bullmq";
import * as rt from "@runtrace/core";
import { isMain } from "./models.js";
import type { Chunk, Document } from "./remote-flow-parse.js";
import { type ChunkSummary, QUEUE } from "./remote-flow-worker.js";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export const DOCUMENTS: Document[] = [
  {
    title: "Solar panels",
    text: "Solar panels turn sunlight into direct current. An inverter converts that current for the house. Panels facing south at a steep angle collect the most light in winter. Output drops on cloudy days but rarely stops. Most panels keep over eighty percent of their output after twenty-five years. Cleaning them twice a year is usually enough. Shade from a single chimney can cut the output of a whole string of panels.",
  },
  {
    title: "Heat pumps",
    text: "A heat pump moves heat instead of making it. In winter it draws heat from the outside air, even below freezing. A compressor raises the temperature of the refrigerant before it reaches the house. One unit of electricity moves three or four units of heat. Heat pumps work best with underfloor heating or large radiators. In summer the same pump runs in reverse and cools the house.",
  },
  {
    title: "Home batteries",
    text: "A home battery stores the surplus of solar panels for the evening. Lithium iron phosphate cells last thousands of cycles. A battery can also charge at night when electricity is cheap. Its capacity is measured in kilowatt hours and its power in kilowatts. A battery sized for one evening of use pays back fastest. During a power cut, only batteries with a backup switch keep the house running.",
  },
];

// Paths into examples/dist, from the source (vitest) and from the compiled file alike: the
// thread and the processes load compiled JavaScript.
const PARSE_MODULE = new URL("../dist/remote-flow-parse.js", import.meta.url);
const WORKER_SCRIPT = fileURLToPath(new URL("../dist/remote-flow-worker.js", import.meta.url));

/** A summarising worker process started by this example. */
export interface WorkerProcess {
  pid: number;
  /** SIGTERM: it finishes its jobs, then exits. */
  stop(): Promise<void>;
}

/** Starts `count` summarising worker processes; resolves once all of them take jobs. */
export async function startSummaryWorkers(redisUrl: string, count = 2): Promise<WorkerProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => startSummaryWorker(redisUrl)));
  const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s) => s.status === "rejected");
  if (failed === undefined) return workers;
  await Promise.all(workers.map((worker) => worker.stop()));
  throw failed.reason;
}

function startSummaryWorker(redisUrl: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER_SCRIPT], {
    env: { ...process.env, REDIS_URL: redisUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const stopped = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return stopped;
  };
  return new Promise((resolve, reject) => {
    const onError = (chunk: Buffer) => {
      output += chunk.toString();
    };
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (\d+)$/m.exec(output);
      if (!ready) return;
      child.stdout.off("data", onOutput);
      child.stdout.resume();
      // From now on what goes wrong there is shown here.
      child.stderr.off("data", onError);
      child.stderr.pipe(process.stderr, { end: false });
      resolve({ pid: Number(ready[1]), stop });
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onError);
    child.once("exit", (code, signal) =>
      reject(
        new Error(`A summarising worker exited (${code ?? signal}) before it was ready: ${output.trim()}`),
      ),
    );
  });
}

/** The flow: parse in a worker thread → summarise each chunk on the workers → merge here. */
export function makeIndexFlow(redisUrl: string) {
  const parse = rt.workerNode<(documents: Document[]) => Promise<Chunk[]>>(PARSE_MODULE, "parseDocuments", {
    name: "parse",
    threads: 2,
    timeoutMs: 20_000,
  });
  const summarizeChunk = remoteNode<[Chunk], ChunkSummary>("summarizeChunk", {
    queue: QUEUE,
    connection: { url: redisUrl },
    timeoutMs: 20_000,
  });
  const summarizeAll = rt.functionNode(
    (chunks: Chunk[]) => rt.map(summarizeChunk, chunks, { concurrency: 8 }),
    { name: "summarizeAll", description: "Summarises every chunk on the workers" },
  );
  const mergeReport = rt.functionNode(
    ({ parse: chunks, summarize }: { parse: Chunk[]; summarize: ChunkSummary[] }) => {
      const titles = [...new Set(chunks.map((chunk) => chunk.document))];
      const sections = titles.map((title) => {
        const ofDocument = summarize.filter((s) => s.document === title);
        const terms = [...new Set(ofDocument.flatMap((s) => s.terms))].slice(0, 5);
        return [`## ${title} (${terms.join(", ")})`, ...ofDocument.map((s) => `- ${s.summary}`)].join("\n");
      });
      return [`# ${titles.length} documents, ${chunks.length} chunks`, ...sections].join("\n\n");
    },
    { name: "mergeReport", description: "One report from the chunks' summaries" },
  );
  return rt.flow(
    "indexDocuments",
    {
      parse,
      summarize: { node: summarizeAll, after: ["parse"] },
      report: { node: mergeReport, after: ["parse", "summarize"] },
    },
    { returns: "report" },
  );
}

/** Runs the flow in a session of its own; summarising workers must be running on `redisUrl`. */
export async function indexDocuments(redisUrl: string, documents = DOCUMENTS) {
  const index = makeIndexFlow(redisUrl);
  const session = new rt.Session({ name: "index-documents", attributes: { documents: documents.length } });
  const report = await session.run(() => index(documents));
  return { report, session };
}

/** Where the parse call and the summarising calls ran, as their records say: one line each. */
export function whereItRan(session: rt.Session): string[] {
  const steps = session.tree.root.children[0]?.children ?? [];
  const parse = steps.find((step) => step.node === "parse");
  const perWorker = new Map<string, number>();
  for (const call of steps.find((step) => step.node === "summarize")?.children ?? []) {
    const worker = `pid ${call.attributes["runtrace.remote.pid"]} on ${call.attributes["runtrace.remote.host"]}`;
    perWorker.set(worker, (perWorker.get(worker) ?? 0) + 1);
  }
  return [
    `parse: thread ${parse?.attributes["runtrace.worker.thread"]} of this process (pid ${process.pid})`,
    ...[...perWorker].map(([worker, calls]) => `summarizeChunk ×${calls}: worker process ${worker}`),
  ];
}

if (isMain(import.meta.url)) {
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  let workers: WorkerProcess[] = [];
  try {
    workers = await startSummaryWorkers(redisUrl, 2);
    console.log(`Summarising workers: pids ${workers.map((w) => w.pid).join(", ")} on ${redisUrl}\n`);
    const { report, session } = await indexDocuments(redisUrl);
    await rt.flush();
    console.log(`${report}\n`);
    console.log(`${rt.formatTree(session.tree)}\n`);
    console.log(`${whereItRan(session).join("\n")}\n`);
    console.log(`Recorded session ${session.id} in ${rt.jsonlStore().fileOf(session.id)}`);
  } catch (error) {
    const unreachable =
      (isRemoteError(error) && error.code === "RUNTRACE_REDIS_UNREACHABLE") ||
      String(error).includes("is not reachable");
    console.error(error instanceof Error ? error.message : error);
    if (unreachable) console.error(`\nStart Redis at ${redisUrl}, or set REDIS_URL to one that runs.`);
    process.exitCode = 1;
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await closeRemoteConnections();
  }
}
