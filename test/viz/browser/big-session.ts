/**
 * Writes a session of `total` calls straight in the stored format (docs/format.md, one JSON line
 * per call): 20 batches of 50 steps with ~99 leaves each, plus a 60-deep chain in the middle whose
 * last call carries a unique text to search for. Deterministic.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface BigSession {
  id: string;
  file: string;
  total: number;
  /** The id, name and unique input text of the call at the bottom of the deep chain. */
  deepId: string;
  deepName: string;
  needle: string;
  /** Its depth (root = 0). */
  deepDepth: number;
}

const BATCHES = 20;
const STEPS = 50;
const CHAIN = 60;

export function writeBigSession(dir: string, id: string, total = 100_000): BigSession {
  const t0 = Date.now() - 600_000;
  const lines: string[] = [
    JSON.stringify({ type: "session", v: 1, id, name: "big-run", start: t0, pid: 1, host: "bench" }),
  ];
  let next = 1;
  const leaves = total - BATCHES - BATCHES * STEPS - CHAIN;
  const perStep = Math.floor(leaves / (BATCHES * STEPS));
  let extra = leaves - perStep * BATCHES * STEPS;
  const needle = "needle-7f3a9c-in-a-haystack";
  let deepId = "";
  const call = (
    parent: string,
    node: string,
    kind: string,
    start: number,
    end: number,
    more: object = {},
  ) => {
    const callId = String(next++);
    lines.push(
      JSON.stringify({
        type: "call",
        id: callId,
        parent,
        node,
        kind,
        start,
        attempts: 1,
        status: "ok",
        end,
        ...more,
      }),
    );
    return callId;
  };
  for (let b = 0; b < BATCHES; b++) {
    const batchStart = t0 + 1 + b * 40;
    const batch = call("0", `batch-${b}`, "agent", batchStart, batchStart + 600, { input: { batch: b } });
    for (let s = 0; s < STEPS; s++) {
      const stepStart = batchStart + 1 + s * 10;
      const step = call(batch, `step-${b}-${s}`, "flow", stepStart, stepStart + 60, { input: [b, s] });
      if (b === 13 && s === 25) {
        let parent = step;
        for (let d = 0; d < CHAIN; d++) {
          const last = d === CHAIN - 1;
          parent = call(
            parent,
            last ? "needle-target" : `deep-${d}`,
            "function",
            stepStart + d * 0.5,
            stepStart + 50,
            {
              input: last ? { query: needle } : [d],
              output: last ? "found" : undefined,
            },
          );
        }
        deepId = parent;
      }
      const count = perStep + (extra > 0 ? 1 : 0);
      if (extra > 0) extra--;
      for (let l = 0; l < count; l++) {
        const leafStart = stepStart + 0.5 + l * 0.5;
        const failed = next % 997 === 0;
        call(
          step,
          l % 3 === 0 ? "llm-call" : "tool-call",
          l % 3 === 0 ? "llm" : "tool",
          leafStart,
          leafStart + 0.4 + (l % 7) * 0.2,
          {
            input: [`item ${b}.${s}.${l}`],
            output: failed ? undefined : `result ${l}`,
            ...(failed ? { status: "error", error: { name: "Error", message: `leaf ${l} failed` } } : {}),
          },
        );
      }
    }
  }
  lines.push(JSON.stringify({ type: "session-end", status: "ok", end: t0 + 1 + BATCHES * 40 + 600 }));
  const file = join(dir, `${id}.jsonl`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return { id, file, total: next - 1, deepId, deepName: "needle-target", needle, deepDepth: 2 + CHAIN };
}
