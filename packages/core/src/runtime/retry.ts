import type { RetryPolicy } from "../nodes/retry-policy.js";

/** The wait before attempt `failed + 1`, after `failed` attempts failed. */
export function retryDelay(policy: RetryPolicy, failed: number): number {
  const base =
    policy.backoff === "fixed"
      ? policy.delayMs
      : policy.backoff === "linear"
        ? policy.delayMs * failed
        : policy.delayMs * 2 ** (failed - 1);
  const capped = Math.min(base, policy.maxDelayMs);
  return policy.jitter === 0 ? capped : capped * (1 - policy.jitter * Math.random());
}
