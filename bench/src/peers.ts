/**
 * `npm run bench -- peers`: runtrace beside the floor and peer frameworks on one fan-out workload (a
 * root awaits `Promise.all` over 10 children, each awaiting 2 grandchildren: 31 traced calls per
 * root), in this one process, the systems alternating sample by sample. Rows are CPU µs per traced
 * call (`process.cpuUsage`, user + system), with the wall-clock µs of the same samples beside them.
 * Every sample is checked to have left every record, span or run; a row that lost some is marked
 * INCOMPLETE and its figure means nothing.
 *
 * `BENCH_PEERS_ROOTS` (default 2000) roots per sample, `BENCH_PEERS_SAMPLES` (default 9) samples,
 * `BENCH_PEERS_LANGSMITH_ROOTS` (default a twentieth of the roots) for LangSmith, far slower;
 * `BENCH_PEERS_SYSTEMS=memory,off` runs only those systems (and the floor): the keys are floor,
 * memory, memory-one, off, jsonl-one, jsonl-per-root, memory-waiting, jsonl-per-root-waiting, setup-tracing, raw,
 * genkit, agents, langsmith. The two `-waiting` rows run the same shape with each leaf waiting for
 * the next event-loop turn (as a call waiting for I/O does), so a session is written over several
 * batches, as a server's request is.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type ContextManager, context, type ProxyTracerProvider, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import * as rt from "@runtrace/core";
import { setupTracing } from "@runtrace/core/otel";
import type { Bench, Row } from "./lib.js";
import { watchStorages } from "./peers/async-storages.js";
import { genkitRun, otlpProvider, rawSpans } from "./peers/otel-systems.js";
import {
  floor,
  jsonlOneSession,
  jsonlSessionPerRoot,
  jsonlSessionPerRootWaiting,
  memoryOneSession,
  memoryStore,
  memoryStoreWaiting,
  recordingOff,
  withSetupTracing,
} from "./peers/runtrace-systems.js";
import { langsmith, openaiAgents } from "./peers/sdk-systems.js";
import { startSink } from "./peers/sink.js";
import { interleave, type Result, type System } from "./peers/system.js";
import { versionOf } from "./peers/versions.js";
import { CALLS_PER_ROOT } from "./peers/workload.js";

function setting(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const ROOTS = setting("BENCH_PEERS_ROOTS", 2000);
const SAMPLES = setting("BENCH_PEERS_SAMPLES", 9);
const LANGSMITH_ROOTS = setting("BENCH_PEERS_LANGSMITH_ROOTS", Math.max(1, Math.round(ROOTS / 20)));
const ONLY = process.env.BENCH_PEERS_SYSTEMS?.split(",").map((key) => key.trim());

const count = (n: number) => n.toLocaleString("en-US");
const complete = (result: Result) => result.recorded >= result.expected;

function row(result: Result, floor: Result): Row {
  const { system, expected, recorded } = result;
  const kept = system.perRoot === 0 ? "records nothing" : `${count(recorded)} of ${count(expected)} recorded`;
  const late = result.late === 0 ? "" : `; flush resolved early in ${result.late} of ${SAMPLES}`;
  return {
    name: complete(result) ? system.name : `${system.name} [INCOMPLETE]`,
    value: result.cpu,
    unit: "cpu µs/call",
    ratio: result.cpu / floor.cpu,
    note: `wall ${result.wall.toFixed(2)} µs (${(result.wall / floor.wall).toFixed(2)}x); ${kept}${late}`,
  };
}

/** A target row: `part / whole` of the measure `of` at most `limit`. */
function target(name: string, part: Result, whole: Result, limit: number, of: "cpu" | "wall"): Row {
  const value = part[of] / whole[of];
  const both = complete(part) && complete(whole);
  return {
    name: `target: ${name}`,
    value,
    unit: `x ${of}`,
    target: `≤ ${limit}x`,
    ...(both ? { ok: value <= limit } : { note: "a side is INCOMPLETE: no verdict" }),
  };
}

const bench: Bench = async () => {
  const storages = watchStorages();
  const dir = mkdtempSync(join(tmpdir(), "runtrace-bench-peers-"));
  const sink = await startSink();
  const tracing = setupTracing({ serviceName: "bench", endpoint: sink.url });
  // setupTracing registered its provider: keep it, and let each system say which provider it wants.
  const runtraceProvider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate();
  trace.disable();
  // And its context manager, which keeps OpenTelemetry's context in runtrace's frames; the rows of
  // plain OpenTelemetry get the SDK's standard one, as an application without runtrace has.
  const runtraceContext = (
    context as unknown as { _getContextManager(): ContextManager }
  )._getContextManager();
  const standardContext = new AsyncLocalStorageContextManager();
  const otel = otlpProvider(sink, "bench");

  // Made only when chosen: making one registers its tracing (Genkit, the Agents SDK's processors).
  const makers: Record<string, () => System> = {
    floor,
    memory: memoryStore,
    "memory-one": memoryOneSession,
    off: recordingOff,
    "jsonl-one": () => jsonlOneSession(dir),
    "jsonl-per-root": () => jsonlSessionPerRoot(dir),
    "memory-waiting": memoryStoreWaiting,
    "jsonl-per-root-waiting": () => jsonlSessionPerRootWaiting(dir),
    "setup-tracing": () => withSetupTracing(sink, tracing, runtraceProvider, runtraceContext),
    raw: () => rawSpans(sink, otel, standardContext),
    genkit: () => genkitRun(sink, otel, standardContext),
    agents: openaiAgents,
    langsmith: () => langsmith(sink, LANGSMITH_ROOTS),
  };
  const keys = Object.keys(makers).filter(
    (key) => key === "floor" || ONLY === undefined || ONLY.includes(key),
  );
  const results = await interleave(
    keys.map((key) => makers[key]!()),
    ROOTS,
    SAMPLES,
    storages,
  );
  const strays = storages.strays();

  trace.disable();
  trace.setGlobalTracerProvider(runtraceProvider);
  context.disable();
  context.setGlobalContextManager(runtraceContext.enable());
  await tracing.shutdown();
  await otel.shutdown();
  sink.close();
  rt.configure({ record: true });
  rmSync(dir, { recursive: true, force: true });

  const of = (key: string) => results[keys.indexOf(key)];
  const floorResult = of("floor")!;
  const rows = results.map((result) => row(result, floorResult));
  const targets: Array<[string, string, string, number, "cpu" | "wall"]> = [
    ["memory store against the floor", "memory", "floor", 2, "cpu"],
    ["JSONL, session per root, against the memory store", "jsonl-per-root", "memory", 2, "cpu"],
    ["JSONL, one session, against the memory store", "jsonl-one", "memory", 1.5, "cpu"],
    ["runtrace + setupTracing against raw spans", "setup-tracing", "raw", 1.05, "cpu"],
    ["runtrace + setupTracing against raw spans", "setup-tracing", "raw", 1.1, "wall"],
  ];
  for (const [name, part, whole, limit, measure] of targets) {
    const [a, b] = [of(part), of(whole)];
    if (a !== undefined && b !== undefined) rows.push(target(name, a, b, limit, measure));
  }
  // Not a target of its own: the per-root row's, for sessions written over several batches.
  const [waiting, memoryWaiting] = [of("jsonl-per-root-waiting"), of("memory-waiting")];
  if (waiting !== undefined && memoryWaiting !== undefined) {
    rows.push({
      name: "JSONL, session per root, leaves wait a turn, × memory store (same shape)",
      value: waiting.cpu / memoryWaiting.cpu,
      unit: "x cpu",
    });
  }
  const storagesUsed = results.map((r) => r.storages).join(", ");
  return {
    title: "peers: runtrace and other frameworks on a fan-out workload (31 traced calls per root)",
    rows,
    notes: [
      `medians of ${SAMPLES} samples per system (interleaved, ABBA order, after a warm-up round); ${count(ROOTS)} roots (${count(ROOTS * CALLS_PER_ROOT)} calls) per sample, LangSmith ${count(LANGSMITH_ROOTS)}; ratios against the floor of the same run`,
      "JSONL, OTLP and LangSmith samples end when their writes or exports are done: rt.flush, forceFlush, awaitPendingTraceBatches inside the window, then (exporters) until the sink has everything; 'flush resolved early' counts the samples where the flush had resolved before the last batch arrived",
      "runtrace + setupTracing: a session per root (its span is one more per root), no local store; raw spans and Genkit export through a provider built like setupTracing's (same OTLP protobuf exporter, batch sizes, resource); the sink is a child process on 127.0.0.1",
      "OpenAI Agents: BatchTraceProcessor (default sizes) with an exporter that calls toJSON() on every item and counts it (no network); LangSmith posts multipart batches to the sink",
      storages.supported
        ? `AsyncLocalStorage instances enabled per system, in row order: ${storagesUsed} (all disabled before each sample; ${strays} left on by earlier code, paid by every row)`
        : "this Node does not keep AsyncLocalStorage instances in a list: no isolation between the systems' storages",
      `versions: genkit ${versionOf("genkit")}, @openai/agents-core ${versionOf("@openai/agents-core")}, langsmith ${versionOf("langsmith")}, @opentelemetry/sdk-trace-node ${versionOf("@opentelemetry/sdk-trace-node")}`,
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} on ${availableParallelism()} CPUs`,
    ],
  };
};

export default bench;
