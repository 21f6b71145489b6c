import { describeValue, InvalidOptionsError } from "../errors.js";
import {
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_RUNTRACE_COST_USD,
  ATTR_RUNTRACE_MODEL_CALLS,
} from "../internal/semconv.js";
import { checkOptionKeys } from "../option-keys.js";
import type { CallRecord } from "../recording/types.js";
import type { SessionState } from "../runtime/session-state.js";
import type { Price, Usage } from "./types.js";

/** Throws `InvalidOptionsError` unless `price` is `{ inputPerMillion, outputPerMillion }` (or absent). */
export function checkPrice(where: string, price: unknown): Price | undefined {
  if (price === undefined) return undefined;
  const p = price as Partial<Price> | null;
  const ok = (n: unknown) => typeof n === "number" && Number.isFinite(n) && n >= 0;
  if (typeof p !== "object" || p === null || !ok(p.inputPerMillion) || !ok(p.outputPerMillion)) {
    throw new InvalidOptionsError(
      `${where}: expected \`price\` to be { inputPerMillion, outputPerMillion } in US dollars per million tokens, got ${describeValue(price)}.`,
    );
  }
  checkOptionKeys(where, p, ["inputPerMillion", "outputPerMillion"], "price");
  return { inputPerMillion: p.inputPerMillion!, outputPerMillion: p.outputPerMillion! };
}

/** What `usage` cost at `price`, in US dollars, or `undefined` without a price. */
export function costOf(usage: Usage, price: Price | undefined): number | undefined {
  if (price === undefined) return undefined;
  return (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1e6;
}

interface Totals {
  input: number;
  output: number;
  cost: number | undefined;
  calls: number;
}

// Running sums per record (agents and session roots). Weak: they go with their records.
const totals = new WeakMap<CallRecord, Totals>();

function add(session: SessionState, record: CallRecord, usage: Usage, cost: number | undefined): void {
  let sum = totals.get(record);
  if (sum === undefined) {
    sum = { input: 0, output: 0, cost: undefined, calls: 0 };
    totals.set(record, sum);
  }
  sum.input += usage.inputTokens;
  sum.output += usage.outputTokens;
  sum.calls += 1;
  if (cost !== undefined) sum.cost = (sum.cost ?? 0) + cost;
  const attributes: Record<string, unknown> = {
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: sum.input,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: sum.output,
    [ATTR_RUNTRACE_MODEL_CALLS]: sum.calls,
  };
  if (sum.cost !== undefined) attributes[ATTR_RUNTRACE_COST_USD] = roundCost(sum.cost);
  session.attributes(record, attributes);
}

/** Cost rounded to a billionth of a dollar: sums of floats otherwise show 0.30000000000000004. */
export function roundCost(cost: number): number {
  return Math.round(cost * 1e9) / 1e9;
}

/**
 * Adds one model call's usage to the totals of every agent above it and of its session's root
 * record, and writes the new totals as attributes there.
 */
export function sumUsage(
  session: SessionState,
  modelCall: CallRecord,
  usage: Usage,
  cost: number | undefined,
): void {
  let id = modelCall.parentId;
  while (id !== null) {
    const record = session.tree.get(id);
    if (record === undefined) break;
    if (record.kind === "agent") add(session, record, usage, cost);
    id = record.parentId;
  }
  add(session, session.root, usage, cost);
}
