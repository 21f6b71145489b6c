/**
 * The ingest → stats / patterns / analysis → report pipeline (reference scenario 002), run twice:
 * with `parallel: false` (one step at a time) and `parallel: true` (stats, patterns and analysis
 * together as soon as ingest is done). Prints both wall times and the speedup; each run's flow
 * record also carries `flow.makespanMs`, `flow.sumMs`, `flow.criticalPath` and `flow.speedup`.
 *
 * Run: node examples/dist/report-pipeline.js
 */
import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";
import { z } from "zod";
import { chooseModel, describeModel, isMain, systemMessage, toolResults } from "./models.js";

export interface Sale {
  region: string;
  product: string;
  units: number;
  price: number;
}

export const RAW_SALES = `region,product,units,price
north,kettle,120,39
north,toaster,80,29
south,kettle,200,39
south,blender,45,89
west,toaster,150,29
west,blender,60,89`;

export const ingest = rt.functionNode(
  async (csv: string): Promise<Sale[]> => {
    await sleep(50, undefined, { signal: rt.signal() });
    const [, ...rows] = csv.trim().split("\n");
    return rows.map((row) => {
      const [region, product, units, price] = row.split(",");
      return { region: region!, product: product!, units: Number(units), price: Number(price) };
    });
  },
  { name: "ingest", description: "Parses raw sales CSV" },
);

export const stats = rt.functionNode(
  async (sales: Sale[]) => {
    await sleep(150, undefined, { signal: rt.signal() }); // a heavy aggregation, in real life
    const revenue = sales.reduce((sum, s) => sum + s.units * s.price, 0);
    const units = sales.reduce((sum, s) => sum + s.units, 0);
    return { rows: sales.length, units, revenue, averagePrice: Math.round((revenue / units) * 100) / 100 };
  },
  { name: "stats", description: "Totals and averages" },
);

const LAST_YEAR: Record<string, number> = { north: 6100, south: 11200, west: 8900 };

export const lastYearRevenue = rt.functionNode(
  async (region: string) => {
    await sleep(60, undefined, { signal: rt.signal() });
    return { region, revenue: LAST_YEAR[region] ?? 0 };
  },
  {
    name: "lastYearRevenue",
    kind: "tool",
    description: "Revenue of a region in the same period last year",
    params: [["region", z.string()]],
  },
);

const SYSTEM = {
  patterns: "You find patterns in sales records. Answer in one sentence.",
  analysis: "You compare this year's sales with last year's, per region, using the lastYearRevenue tool.",
  report: "You write a three-line executive sales report from statistics, patterns and an analysis.",
};

/** Offline stand-ins for the three model-backed steps, each with a plausible latency. */
export function offlineModel(): rt.ScriptedModel {
  return rt.scriptedModel(
    [
      (request) => {
        const system = systemMessage(request);
        if (system === SYSTEM.patterns) {
          return {
            text: "Kettles sell best in the south; blenders carry the highest price everywhere.",
            delayMs: 150,
          };
        }
        if (system === SYSTEM.analysis) {
          const results = toolResults(request);
          if (Object.keys(results).length === 0) {
            return {
              toolCalls: ["north", "south", "west"].map((region) => ({
                name: "lastYearRevenue",
                arguments: { region },
              })),
              delayMs: 40,
            };
          }
          return { text: "North and west grew about 20% on last year; south is flat.", delayMs: 50 };
        }
        return {
          text: "Revenue 29,565 on 655 units.\nKettles lead in the south; blenders carry the margin.\nNorth and west grow, south is flat.",
          delayMs: 80,
        };
      },
    ],
    { name: "scripted-analyst", loop: true },
  );
}

/** The pipeline; `parallel: false` runs its steps one at a time. */
export function makeReportFlow(model: rt.Model, parallel: boolean) {
  const patterns = rt.llmNode({
    name: "patterns",
    model,
    system: SYSTEM.patterns,
    prompt: "Sales records as JSON:\n\n{input}",
  });
  const analysis = rt.agentNode({
    name: "analysis",
    model,
    system: SYSTEM.analysis,
    tools: [lastYearRevenue],
  });
  const report = rt.llmNode({ name: "report", model, system: SYSTEM.report });
  return rt.flow(
    parallel ? "reportParallel" : "reportSequential",
    {
      ingest,
      stats: { node: stats, after: ["ingest"] },
      patterns: { node: patterns, after: ["ingest"] },
      analysis: {
        node: analysis,
        after: ["ingest"],
        args: ({ results }) => [`Compare these sales with last year: ${JSON.stringify(results.ingest)}`],
      },
      report: { node: report, after: ["stats", "patterns", "analysis"] },
    },
    { parallel, returns: "report" },
  );
}

/** Runs both versions, one session each; resolves with their wall times and sessions. */
export async function compare(model: rt.Model) {
  const timed = async (parallel: boolean) => {
    const flow = makeReportFlow(model, parallel);
    const session = new rt.Session({ name: flow.name });
    const started = performance.now();
    const report = await session.run(() => flow(RAW_SALES));
    return { report, ms: performance.now() - started, session };
  };
  const sequential = await timed(false);
  const parallel = await timed(true);
  return { sequential, parallel, speedup: sequential.ms / parallel.ms };
}

if (isMain(import.meta.url)) {
  const model = chooseModel(offlineModel);
  console.log(`Sales report pipeline on ${describeModel(model)}\n`);
  const { sequential, parallel, speedup } = await compare(model);
  await rt.flush();
  console.log(parallel.report);
  console.log(`\n${rt.formatTree(sequential.session.tree, { depth: 2 })}\n`);
  console.log(`${rt.formatTree(parallel.session.tree, { depth: 3 })}\n`);
  console.log(`Sequential: ${(sequential.ms / 1000).toFixed(2)} s`);
  console.log(`Parallel:   ${(parallel.ms / 1000).toFixed(2)} s`);
  console.log(`Speedup:    ${speedup.toFixed(2)}x`);
  const flowRecord = parallel.session.tree.root.children[0]!;
  console.log(
    `Recorded on the parallel flow: speedup ${Number(flowRecord.attributes["flow.speedup"]).toFixed(2)}x, critical path ${JSON.stringify(flowRecord.attributes["flow.criticalPath"])}`,
  );
}
