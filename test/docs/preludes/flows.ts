// Names the samples of docs/flows.md use without defining them (see core.ts). Real and offline.
import * as rt from "@runtrace/core";

export { rt };

export const ingestNode = rt.functionNode((csv: string) => csv.split(","), { name: "ingest" });
export const statsNode = rt.functionNode((rows: string[]) => ({ rows: rows.length }), { name: "stats" });
export const patternsNode = rt.functionNode((rows: string[]) => rows.filter((r) => r === "a"), {
  name: "patterns",
});
export const reportNode = rt.functionNode(
  (parts: { stats: { rows: number }; patterns: string[] }) =>
    `${parts.stats.rows} rows, ${parts.patterns.length} matches`,
  { name: "report" },
);
export const rawData = "a,b,a,c";

/** What "Passing arguments" starts from: the request, and the step that reads it. */
interface ReportRequest {
  topic: string;
  rows: number[];
}
export const computeStats = rt.functionNode(
  (request: ReportRequest) => ({ mean: request.rows.reduce((a, b) => a + b, 0) / request.rows.length }),
  { name: "computeStats" },
);
export const writeReport = rt.functionNode(
  (stats: { mean: number }, topic: string) => `${topic}: mean ${stats.mean}`,
  { name: "writeReport" },
);

export const double = rt.functionNode((n: number) => n * 2, { name: "double" });
export const inc = rt.functionNode((n: number) => n + 1, { name: "inc" });

const step = (name: string) => rt.functionNode((input: unknown) => `${name}(${String(input)})`, { name });
const search = rt.functionNode(
  (_input: unknown): string => {
    throw new Error("search is down");
  },
  { name: "search" },
);
/** A flow whose `search` step fails, run with `onError: "continue"`. */
export const research = rt.flow(
  "research",
  {
    plan: step("plan"),
    outline: { node: step("outline"), after: ["plan"] },
    search: { node: search, after: ["plan"] },
    read: { node: step("read"), after: ["search"] },
    cite: { node: step("cite"), after: ["read"] },
    final: { node: step("final"), after: ["outline", "cite"] },
  },
  { onError: "continue" },
);
export const topic = "tide pools";

export const writeSpec = rt.functionNode((idea: string) => `spec of ${idea}`, { name: "writeSpec" });
export const designSite = rt.functionNode((spec: string) => `design for ${spec}`, { name: "designSite" });
export const describeImage = rt.functionNode((design: string) => `image of ${design}`, {
  name: "describeImage",
});
export const drawLogo = rt.functionNode((text: string) => `logo: ${text}`, { name: "drawLogo" });
export const writeCode = rt.functionNode(
  (parts: { spec: string; design: string }) => `code for ${parts.spec} and ${parts.design}`,
  { name: "writeCode" },
);

/** The JSON of a flow whose `report` step has an `args` function (as in the "JSON" section). */
export const spec = JSON.stringify(
  rt.flow(
    "weekly-report",
    {
      ingest: ingestNode,
      report: { node: writeReport, after: ["ingest"], args: ({ results }) => [results.ingest, "weekly"] },
    },
    { returns: "report" },
  ),
);
