/** When one step ran (epoch milliseconds); absent for a step that never started. */
export interface StepTiming {
  start: number;
  end: number;
}

/** What a run's parallelism bought, recorded on the flow's call as `flow.*` attributes. */
export interface FlowMetrics {
  /** Wall time from the first step's start to the last step's end. */
  makespanMs: number;
  /** Sum of every step's duration: the time a one-at-a-time run would need. */
  sumMs: number;
  /** The chain of dependent steps with the longest total duration, first step first. */
  criticalPath: string[];
  /** Total duration of `criticalPath`: no schedule can finish sooner. */
  criticalPathMs: number;
  /** `sumMs / makespanMs` (1 when the run took no measurable time). */
  speedup: number;
}

/**
 * The run's metrics from the steps' actual durations (`order` is any topological order of `deps`).
 * A step's duration runs from the moment its call is made to its end, so a wait at its node's own
 * concurrency gate counts, and a wait in the flow's queue (the flow's `concurrency`) does not. The
 * critical path follows dependencies only, so `makespanMs / criticalPathMs` measures the scheduler.
 */
export function flowMetrics(
  names: readonly string[],
  deps: readonly (readonly number[])[],
  order: readonly number[],
  timings: readonly (StepTiming | undefined)[],
): FlowMetrics {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let sumMs = 0;
  // Longest chain (by duration) ending at each step, and the dependency it came through.
  const chain = new Array<number>(names.length).fill(0);
  const via = new Array<number>(names.length).fill(-1);
  let tail = -1;
  for (const i of order) {
    const timing = timings[i];
    if (timing === undefined) continue;
    const duration = timing.end - timing.start;
    first = Math.min(first, timing.start);
    last = Math.max(last, timing.end);
    sumMs += duration;
    let best = 0;
    for (const d of deps[i]!) {
      if (timings[d] !== undefined && chain[d]! > best) {
        best = chain[d]!;
        via[i] = d;
      }
    }
    chain[i] = best + duration;
    if (tail === -1 || chain[i]! > chain[tail]!) tail = i;
  }
  const criticalPath: string[] = [];
  for (let i = tail; i !== -1; i = via[i]!) criticalPath.unshift(names[i]!);
  const makespanMs = tail === -1 ? 0 : last - first;
  return {
    makespanMs,
    sumMs,
    criticalPath,
    criticalPathMs: tail === -1 ? 0 : chain[tail]!,
    speedup: makespanMs > 0 ? sumMs / makespanMs : 1,
  };
}
