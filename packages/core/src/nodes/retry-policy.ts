import { describeValue, InvalidOptionsError, isCancelledError, isRuntraceError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";
import { expectDuration, expectPositiveInteger } from "./option-checks.js";

/** How the delay between attempts grows. */
export type Backoff = "exponential" | "linear" | "fixed";

/**
 * `retry` as a number of attempts (`3` = one try and up to two retries), or in full.
 */
export type RetryOption =
  | number
  | {
      /** Total attempts, the first included. */
      attempts: number;
      /** @default "exponential" */
      backoff?: Backoff;
      /** Delay before the first retry, in milliseconds. @default 100 */
      delayMs?: number;
      /** Upper bound on any delay. @default 10000 */
      maxDelayMs?: number;
      /**
       * Randomise each delay downwards by up to this fraction (`true` = 0.5), so that many callers
       * failing together do not retry together. @default false
       */
      jitter?: boolean | number;
      /**
       * Whether an error is worth another attempt. By default every error is, except cancellation and
       * validation errors (bad arguments do not get better by trying again).
       */
      retryOn?: (error: unknown, attempt: number) => boolean;
    };

const RETRY_OPTIONS = Object.keys({
  attempts: true,
  backoff: true,
  delayMs: true,
  maxDelayMs: true,
  jitter: true,
  retryOn: true,
} satisfies Record<keyof Exclude<RetryOption, number>, true>);

/** A normalised, validated retry policy. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly backoff: Backoff;
  readonly delayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
  readonly retryOn: (error: unknown, attempt: number) => boolean;
}

function defaultRetryOn(error: unknown): boolean {
  if (isCancelledError(error)) return false;
  return !(
    isRuntraceError(error) &&
    (error.code === "RUNTRACE_VALIDATION" || error.code === "RUNTRACE_NOT_A_NODE")
  );
}

const BACKOFFS: readonly Backoff[] = ["exponential", "linear", "fixed"];

/** Validates a `retry` option; `undefined` when there is nothing to retry (1 attempt). */
export function retryPolicy(where: string, option: RetryOption | undefined): RetryPolicy | undefined {
  if (option === undefined) return undefined;
  const meaning = "the number of attempts; 1 means no retry";
  if (typeof option === "number") {
    const attempts = expectPositiveInteger(where, "retry", option, meaning);
    return attempts === 1 ? undefined : { ...DEFAULT_RETRY, attempts };
  }
  if (typeof option !== "object" || option === null) {
    throw new InvalidOptionsError(
      `${where}: expected \`retry\` to be a number of attempts or { attempts, backoff?, delayMs?, maxDelayMs?, jitter?, retryOn? }, got ${describeValue(option)}.`,
    );
  }
  checkOptionKeys(where, option, RETRY_OPTIONS, "retry");
  const attempts = expectPositiveInteger(where, "retry.attempts", option.attempts, meaning);
  const backoff = option.backoff ?? DEFAULT_RETRY.backoff;
  if (!BACKOFFS.includes(backoff)) {
    throw new InvalidOptionsError(
      `${where}: expected \`retry.backoff\` to be one of ${BACKOFFS.map((b) => `"${b}"`).join(", ")}, got ${describeValue(backoff)}.`,
    );
  }
  const jitterOption = option.jitter ?? false;
  const jitter = jitterOption === true ? 0.5 : jitterOption === false ? 0 : jitterOption;
  if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1)) {
    throw new InvalidOptionsError(
      `${where}: expected \`retry.jitter\` to be a boolean or a fraction between 0 and 1, got ${describeValue(jitterOption)}.`,
    );
  }
  if (option.retryOn !== undefined && typeof option.retryOn !== "function") {
    throw new InvalidOptionsError(
      `${where}: expected \`retry.retryOn\` to be a function (error, attempt) => boolean, got ${describeValue(option.retryOn)}.`,
    );
  }
  if (attempts === 1) return undefined;
  return {
    attempts,
    backoff,
    delayMs: expectDuration(where, "retry.delayMs", option.delayMs ?? DEFAULT_RETRY.delayMs),
    maxDelayMs: expectDuration(where, "retry.maxDelayMs", option.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs),
    jitter,
    retryOn: option.retryOn ?? defaultRetryOn,
  };
}

const DEFAULT_RETRY: RetryPolicy = {
  attempts: 1,
  backoff: "exponential",
  delayMs: 100,
  maxDelayMs: 10_000,
  jitter: 0,
  retryOn: defaultRetryOn,
};
