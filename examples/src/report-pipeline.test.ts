import * as rt from "@runtrace/core";
import { beforeEach, expect, it } from "vitest";
import { compare, offlineModel } from "./report-pipeline.js";

beforeEach(() => {
  rt.configure({ store: null });
});

const overlap = (a: rt.CallRecord, b: rt.CallRecord) => a.start < b.end! && b.start < a.end!;

it("runs stats, patterns and analysis together in parallel and one by one in sequence", async () => {
  const { sequential, parallel, speedup } = await compare(offlineModel());

  expect(parallel.report).toBe(sequential.report);
  expect(parallel.report).toContain("Revenue 29,565");
  for (const run of [sequential, parallel]) {
    const flow = run.session.tree.root.children[0]!;
    expect(flow.children.map((c) => c.node)).toEqual(["ingest", "stats", "patterns", "analysis", "report"]);
    const analysis = flow.children[3]!;
    expect(analysis.kind).toBe("agent");
    expect(analysis.children.map((c) => c.node)).toEqual([
      "chat scripted-analyst",
      "lastYearRevenue",
      "lastYearRevenue",
      "lastYearRevenue",
      "chat scripted-analyst",
    ]);
    expect(run.session.tree.root.attributes["runtrace.model_calls"]).toBe(4);
  }
  const [, ...seqMiddle] = sequential.session.tree.root.children[0]!.children.slice(0, 4);
  const [, ...parMiddle] = parallel.session.tree.root.children[0]!.children.slice(0, 4);
  // One at a time: no two steps overlap. In parallel: the three middle steps all overlap.
  for (const a of seqMiddle) for (const b of seqMiddle) if (a !== b) expect(overlap(a, b)).toBe(false);
  for (const a of parMiddle) for (const b of parMiddle) if (a !== b) expect(overlap(a, b)).toBe(true);
  expect(speedup).toBeGreaterThan(1);
  expect(parallel.session.tree.root.children[0]!.attributes["flow.speedup"]).toBeGreaterThan(1);
});
