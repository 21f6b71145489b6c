/**
 * `npm run bench -- tracing`: what OpenTelemetry spans cost on `rt.call`.
 *
 * 1. With the SDK, a batch processor and the OTLP exporter posting to a local null receiver (a
 *    node:http server answering 200): `rt.call` beside a raw `tracer.startActiveSpan` around the same
 *    async function. Target: at most 1.25x.
 * 2. With no tracer provider registered: `rt.call` beside `rt.call` with the tracing bridge
 *    uninstalled ("tracing off"), the same thing measured twice, interleaved. Target: at most 1.05x.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { context, propagation, trace } from "@opentelemetry/api";
import * as rt from "@runtrace/core";
import { setupTracing } from "@runtrace/core/otel";
// Internal switches, reached through the built files: the bench uninstalls the bridge to measure
// "tracing off", which no public API offers (an application simply registers no provider).
import { setTracerFactory } from "../../packages/core/dist/runtime/tracer-hook.js";
import { sessionTracerFactory } from "../../packages/core/dist/tracing/bridge.js";
import { type Bench, gc, median, nsPerOp, type Row, withRatio } from "./lib.js";

const SAMPLES = 9;
// The untraced pair measures the same code twice: its samples are cheap, so take more of them.
const SAMPLES_UNTRACED = 25;
const CALLS_TRACED = 10_000;
const CALLS_UNTRACED = 40_000;
const SESSIONS = 10_000;

async function work(n: number): Promise<number> {
  return n + 1;
}
const op = rt.functionNode(work, { name: "bench.op" });

/** One sample: wall-clock ns per op (the harness's `nsPerOp`) and CPU ns per op of the same run. */
interface Sample {
  wall: number;
  cpu: number;
}
type Sampler = () => Promise<Sample>;

/**
 * Measures `n` ops with `nsPerOp`, and the process's CPU time over the same run: on a shared machine
 * wall time also counts the time other tenants held the CPU, CPU time does not.
 */
function sampler(n: number, op: (i: number) => Promise<unknown>, after?: () => Promise<void>): Sampler {
  return async () => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    let wall = await nsPerOp(n, op);
    if (after !== undefined) {
      // A traced sample includes shipping its spans: the flush is inside the timed window.
      await after();
      wall = Number(process.hrtime.bigint() - start) / n;
    }
    const used = process.cpuUsage(cpu);
    return { wall, cpu: ((used.user + used.system) * 1000) / n };
  };
}

/** `rt.call`, `n` sequential calls in one session (the session's own cost is left out). */
function rtCalls(n: number, after?: () => Promise<void>): Sampler {
  return () =>
    new rt.Session({ name: "bench", store: null }).run(() => sampler(n, (i) => rt.call(op, i), after)());
}

/** `rt.call` made outside any session: each call opens (and closes) its own session. */
function implicitSessions(n: number): Sampler {
  return sampler(n, (i) => rt.call(op, i));
}

// What runtrace puts on a plain call's span, for the "raw with the same attributes" row.
const SAME_ATTRIBUTES = {
  "runtrace.node": "bench.op",
  "runtrace.kind": "function",
  "runtrace.session.id": "20250101-000000-0123456789",
  "runtrace.call.id": "12345",
};

/**
 * Raw spans around the same function. Like `rt.call`'s spans (children of the session's span), they
 * are children of one parent span per sample: the SDK does more for a child than for a root span.
 */
function rawSpans(n: number, after: () => Promise<void>, attributes?: typeof SAME_ATTRIBUTES): Sampler {
  const tracer = trace.getTracer("bench-raw");
  const options = attributes === undefined ? {} : { attributes };
  const raw = (i: number) =>
    tracer.startActiveSpan("bench.op", options, async (span) => {
      try {
        return await work(i);
      } finally {
        span.end();
      }
    });
  const sample = sampler(n, raw, after);
  return () =>
    tracer.startActiveSpan("bench.parent", async (parent) => {
      try {
        return await sample();
      } finally {
        parent.end();
      }
    });
}

/**
 * Runs the samplers in turn, `SAMPLES` rounds after one warm-up round, and returns the median of
 * each. The order flips every round (ABBA), so neither side always runs right after the other.
 */
async function interleaved(samplers: Sampler[], samples = SAMPLES): Promise<Sample[]> {
  const values: Sample[][] = samplers.map(() => []);
  const order = samplers.map((_, i) => i);
  for (let round = 0; round <= samples; round++) {
    for (const i of round % 2 === 0 ? order : [...order].reverse()) {
      gc();
      const value = await samplers[i]!();
      if (round > 0) values[i]!.push(value);
    }
  }
  return values.map((list) => ({
    wall: median(list.map((v) => v.wall)),
    cpu: median(list.map((v) => v.cpu)),
  }));
}

async function nullReceiver(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/x-protobuf" }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const bench: Bench = async () => {
  rt.configure({ store: null });
  trace.disable();

  // With no provider registered, against the bridge uninstalled.
  const bridgeOff = (sample: Sampler) => async () => {
    setTracerFactory(undefined);
    try {
      return await sample();
    } finally {
      setTracerFactory(sessionTracerFactory);
    }
  };
  const [off, noProvider, offSessions, noProviderSessions] = (await interleaved(
    [
      bridgeOff(rtCalls(CALLS_UNTRACED)),
      rtCalls(CALLS_UNTRACED),
      bridgeOff(implicitSessions(SESSIONS)),
      implicitSessions(SESSIONS),
    ],
    SAMPLES_UNTRACED,
  )) as [Sample, Sample, Sample, Sample];

  // With the SDK exporting to a null receiver.
  const receiver = await nullReceiver();
  const tracing = setupTracing({ serviceName: "bench", endpoint: receiver.url });
  const flush = () => tracing.flush();
  const [raw, rawSame, traced, offWithSdk] = (await interleaved([
    rawSpans(CALLS_TRACED, flush),
    rawSpans(CALLS_TRACED, flush, SAME_ATTRIBUTES),
    rtCalls(CALLS_TRACED, flush),
    bridgeOff(rtCalls(CALLS_TRACED)),
  ])) as [Sample, Sample, Sample, Sample];
  await tracing.shutdown();
  context.disable();
  propagation.disable();
  receiver.server.close();
  receiver.server.closeAllConnections();

  // Rows are CPU time: these machines are shared, and wall time also counts the time other tenants
  // held the CPU (the notes give the wall-clock medians of the same samples).
  const row = (name: string, sample: Sample): Row => ({ name, value: sample.cpu, unit: "cpu ns/op" });
  const rows: Row[] = [
    row("raw startActiveSpan (SDK, batch, OTLP to null receiver)", raw),
    withRatio(row("raw startActiveSpan, runtrace's 4 attributes", rawSame), raw.cpu),
    withRatio(row("rt.call, traced (same SDK)", traced), raw.cpu, 1.25),
    withRatio(row("rt.call, bridge uninstalled (SDK registered)", offWithSdk), raw.cpu),
    row("rt.call, tracing off (bridge uninstalled)", off),
    withRatio(row("rt.call, no provider registered", noProvider), off.cpu, 1.05),
    row("rt.call outside a session, tracing off", offSessions),
    // Informational: here the once-per-session check runs on every call (each opens a session).
    withRatio(row("rt.call outside a session, no provider", noProviderSessions), offSessions.cpu),
  ];
  const wall = (a: Sample, b: Sample) =>
    `${Math.round(a.wall)} / ${Math.round(b.wall)} = ${(a.wall / b.wall).toFixed(2)}x`;
  return {
    title: "tracing: OpenTelemetry spans on rt.call",
    rows,
    notes: [
      `medians of ${SAMPLES} (traced) and ${SAMPLES_UNTRACED} (untraced) interleaved samples (ABBA order); per sample ${CALLS_TRACED.toLocaleString("en-US")} traced calls, ${CALLS_UNTRACED.toLocaleString("en-US")} untraced calls (one session), ${SESSIONS.toLocaleString("en-US")} implicit sessions; store off, inputs and outputs recorded`,
      "traced rows include exporting: each sample ends with flush() inside its measured window; raw spans are children of one parent span, as rt.call's are of the session's",
      `wall-clock ns/op of the same samples: traced/raw ${wall(traced, raw)}; no provider/off ${wall(noProvider, off)}; outside a session ${wall(noProviderSessions, offSessions)}`,
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} on ${availableParallelism()} CPUs`,
    ],
  };
};

export default bench;
