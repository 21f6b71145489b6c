import { setMaxListeners } from "node:events";
import { CancelledError, describeValue, InvalidOptionsError } from "../errors.js";
import { now } from "../internal/clock.js";
import { type CallOptions, callWith } from "../runtime/call.js";
import { setAttributes, signal } from "../runtime/context.js";
import { recordSkipped } from "../runtime/skip.js";
import type { FlowGraph } from "./definition.js";
import { downstreamOf, ReadyQueue } from "./graph.js";
import { flowMetrics, type StepTiming } from "./metrics.js";
import { FlowStepsFailedError } from "./steps-failed-error.js";

const WAITING = 0;
const RUNNING = 1;
const OK = 2;
const FAILED = 3;
const SKIPPED = 4;

/**
 * One run of a flow, inside the flow's own call. A step starts the moment its last dependency
 * finishes (never waiting for a whole level), up to the concurrency limit, ready steps taken in
 * definition order. Each step is an `rt.callWith` made from the flow's frame, so it is a child of
 * the flow's call.
 */
class FlowRun {
  readonly #graph: FlowGraph;
  readonly #args: unknown[];
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: unknown) => void;
  readonly #state: Uint8Array;
  readonly #waiting: number[];
  readonly #outputs: unknown[];
  readonly #timings: (StepTiming | undefined)[];
  readonly #started: number[];
  readonly #errors = new Map<number, unknown>();
  /** Outputs by step name as `args` functions see them (no prototype: a step may be called anything). */
  readonly #results: Record<string, unknown> = Object.create(null);
  readonly #ready = new ReadyQueue();
  readonly #limit: number;
  /** Aborts the steps still running when one fails (`fail-fast` only). */
  readonly #controller: AbortController | undefined;
  /** The flow call's own signal: once it aborts (timeout, cancel) nothing new starts. */
  readonly #outer: AbortSignal;
  #running = 0;
  #settled = 0;
  #finished = false;

  constructor(
    graph: FlowGraph,
    args: unknown[],
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
  ) {
    const n = graph.steps.length;
    this.#graph = graph;
    this.#args = args;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#state = new Uint8Array(n);
    this.#waiting = graph.deps.map((d) => d.length);
    this.#outputs = new Array(n);
    this.#timings = new Array(n);
    this.#started = new Array(n);
    const { parallel, concurrency, onError } = graph.options;
    this.#limit = parallel ? (concurrency ?? Number.POSITIVE_INFINITY) : 1;
    this.#controller = onError === "fail-fast" ? new AbortController() : undefined;
    // Every running step listens on this one signal (and stops listening when it settles): a wide
    // flow is not a listener leak, so lift Node's warning threshold for it.
    if (this.#controller !== undefined) setMaxListeners(0, this.#controller.signal);
    this.#outer = signal();
  }

  start(): void {
    setAttributes({ "flow.graph": this.#graph.attribute });
    for (let i = 0; i < this.#waiting.length; i++) if (this.#waiting[i] === 0) this.#ready.push(i);
    this.#pump();
  }

  #pump(): void {
    while (!this.#finished && this.#running < this.#limit && this.#ready.size > 0) {
      if (this.#outer.aborted) {
        this.#finish({ error: this.#outer.reason });
        return;
      }
      this.#launch(this.#ready.shift());
    }
  }

  #launch(i: number): void {
    const step = this.#graph.steps[i]!;
    let callArgs: unknown[];
    try {
      callArgs = this.#argsFor(i);
    } catch (error) {
      // The step never starts: its `args` function failed, which counts as the step failing.
      this.#started[i] = now();
      this.#stepFailed(i, error);
      return;
    }
    // `flow.step` ties the call to its step exactly (the viewer's graph links steps to calls by it).
    const options: CallOptions = { signal: this.#controller?.signal, attributes: { "flow.step": step.name } };
    if (step.name !== step.node.name) options.name = step.name;
    this.#state[i] = RUNNING;
    this.#running++;
    this.#started[i] = now();
    callWith(options, step.node, ...callArgs).then(
      (value) => this.#stepDone(i, value),
      (error) => {
        this.#running--;
        this.#stepFailed(i, error);
        this.#pump();
      },
    );
  }

  #argsFor(i: number): unknown[] {
    const step = this.#graph.steps[i]!;
    const deps = this.#graph.deps[i]!;
    if (step.args !== undefined) {
      const out = step.args({ input: this.#args[0], results: this.#results });
      if (!Array.isArray(out)) {
        throw new InvalidOptionsError(
          `Flow "${this.#graph.name}": the \`args\` function of step "${step.name}" returned ${describeValue(out)}; expected an array of arguments, e.g. ({ results }) => [results.${this.#graph.steps[deps[0] ?? 0]!.name}].`,
        );
      }
      return out;
    }
    if (deps.length === 0) return this.#args;
    if (deps.length === 1) return [this.#outputs[deps[0]!]];
    return [Object.fromEntries(deps.map((d) => [this.#graph.steps[d]!.name, this.#outputs[d]]))];
  }

  #stepDone(i: number, value: unknown): void {
    this.#running--;
    if (this.#finished) return;
    this.#timings[i] = { start: this.#started[i]!, end: now() };
    this.#state[i] = OK;
    this.#outputs[i] = value;
    this.#results[this.#graph.steps[i]!.name] = value;
    this.#settled++;
    for (const j of this.#graph.dependents[i]!) {
      if (--this.#waiting[j]! === 0 && this.#state[j] === WAITING) this.#ready.push(j);
    }
    this.#pump();
    if (this.#settled === this.#state.length) this.#finish(undefined);
  }

  #stepFailed(i: number, error: unknown): void {
    if (this.#finished) return;
    this.#timings[i] = { start: this.#started[i]!, end: now() };
    if (this.#outer.aborted) {
      this.#finish({ error: this.#outer.reason });
      return;
    }
    const graph = this.#graph;
    if (this.#controller !== undefined) {
      // Steps still running end `cancelled` now, synchronously; their rejections arrive later and
      // are ignored. The flow rejects with the step's own error.
      const at = now();
      for (let j = 0; j < this.#state.length; j++) {
        if (this.#state[j] === RUNNING && j !== i) this.#timings[j] = { start: this.#started[j]!, end: at };
      }
      this.#controller.abort(
        new CancelledError(
          `Flow "${graph.name}": step "${graph.steps[i]!.name}" failed, so its running siblings were cancelled (onError: "fail-fast").`,
          error,
        ),
      );
      this.#finish({ error });
      return;
    }
    this.#state[i] = FAILED;
    this.#errors.set(i, error);
    this.#settled++;
    const reason = `step "${graph.steps[i]!.name}" failed upstream (onError: "continue")`;
    for (const j of downstreamOf(i, graph.dependents)) {
      if (this.#state[j] !== WAITING) continue;
      this.#state[j] = SKIPPED;
      this.#settled++;
      const step = graph.steps[j]!;
      recordSkipped(step.node, reason, [], step.name);
    }
    if (this.#settled === this.#state.length) this.#finish(undefined);
  }

  /**
   * Ends the run: records the metrics, then settles the flow's call, with `failure.error` when
   * given (an error may be any value, `undefined` included).
   */
  #finish(failure: { error: unknown } | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    const graph = this.#graph;
    const names = graph.steps.map((s) => s.name);
    // A flow cancelled from outside (timeout, session cancel) has already ended its record.
    if (!this.#outer.aborted) {
      const m = flowMetrics(names, graph.deps, graph.order, this.#timings);
      setAttributes({
        "flow.makespanMs": m.makespanMs,
        "flow.sumMs": m.sumMs,
        "flow.criticalPath": m.criticalPath,
        "flow.criticalPathMs": m.criticalPathMs,
        "flow.speedup": m.speedup,
      });
    }
    if (failure !== undefined) {
      this.#reject(failure.error);
      return;
    }
    const ok = (i: number) => this.#state[i] === OK;
    if (this.#errors.size > 0) {
      const results = Object.fromEntries(
        names.flatMap((name, i) => (ok(i) ? [[name, this.#outputs[i]]] : [])),
      );
      const errors = Object.fromEntries(
        [...this.#errors.keys()].sort((a, b) => a - b).map((i) => [names[i], this.#errors.get(i)]),
      );
      const skipped = names.filter((_, i) => this.#state[i] === SKIPPED);
      this.#reject(new FlowStepsFailedError(graph.name, results, errors, skipped));
      return;
    }
    const returns = graph.options.returns;
    if (returns !== undefined) {
      this.#resolve(this.#outputs[graph.index.get(returns)!]);
      return;
    }
    const included = graph.steps.flatMap((s, i) => (s.exclude ? [] : [[s.name, this.#outputs[i]]]));
    this.#resolve(Object.fromEntries(included));
  }
}

/** Runs a flow's steps from inside the flow's call and settles with its result. */
export function runFlow(graph: FlowGraph, args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => new FlowRun(graph, args, resolve, reject).start());
}
