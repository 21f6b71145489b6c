import { RuntraceError } from "../errors.js";
import { isInstance, readProperty, textOf } from "../internal/safe.js";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * A flow run with `onError: "continue"` finished, but some steps failed. Every step that could run
 * did; the outputs it has are on `results` (all of them, `exclude`d steps included), each failed
 * step's error, unchanged, on `errors`, and the steps that never ran on `skipped`.
 *
 * @example
 * ```ts
 * try {
 *   await rt.call(pipeline, input);
 * } catch (error) {
 *   if (!rt.isFlowStepsFailedError(error)) throw error;
 *   console.log(error.failed, error.skipped, error.results);
 * }
 * ```
 */
export class FlowStepsFailedError extends RuntraceError {
  override name = "FlowStepsFailedError";
  /** The flow's name. */
  readonly flow: string;
  /** Outputs of the steps that succeeded, by step name. */
  readonly results: Readonly<Record<string, unknown>>;
  /** Each failed step's error, by step name, as the step threw it. */
  readonly errors: Readonly<Record<string, unknown>>;
  /** The failed steps, in definition order. */
  readonly failed: readonly string[];
  /** The steps that did not run because a step they depend on failed, in definition order. */
  readonly skipped: readonly string[];

  constructor(
    flow: string,
    results: Record<string, unknown>,
    errors: Record<string, unknown>,
    skipped: readonly string[],
  ) {
    const failed = Object.keys(errors);
    const detail = failed.map((step) => `"${step}": ${textOf(errors[step])}`).join("; ");
    const skippedText =
      skipped.length === 0
        ? ""
        : ` ${plural(skipped.length, "step")} downstream skipped (${skipped.join(", ")}).`;
    super(
      "RUNTRACE_FLOW_STEPS_FAILED",
      `Flow "${flow}": ${plural(failed.length, "step")} failed (${detail}).${skippedText} ${plural(Object.keys(results).length, "step")} succeeded; their outputs are on error.results, each failure on error.errors.`,
      { cause: errors[failed[0]!] },
    );
    this.flow = flow;
    this.results = results;
    this.errors = errors;
    this.failed = failed;
    this.skipped = skipped;
  }
}

/** True for a `FlowStepsFailedError`, also one from another copy of the package. */
export function isFlowStepsFailedError(error: unknown): error is FlowStepsFailedError {
  return (
    isInstance(error, FlowStepsFailedError) ||
    (typeof error === "object" && readProperty(error, "code") === "RUNTRACE_FLOW_STEPS_FAILED")
  );
}
