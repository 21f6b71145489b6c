import { afterEach, describe, expect, it } from "vitest";
import { cleanUp, runFixture, storedTrace, viewerWithOtlp } from "./helpers.js";

afterEach(cleanUp);

describe("a burst of 100,000 spans from an OpenTelemetry SDK app", () => {
  it("is stored whole: every span is a record of the session, none lost", async () => {
    const viewer = await viewerWithOtlp();
    const out = JSON.parse(await runFixture("otel-burst.mjs", { OTLP_URL: viewer.otlpUrl })) as {
      traceId: string;
      ended: number;
    };
    expect(out.ended).toBe(100_000);
    const tree = (await storedTrace(viewer, out.traceId))!;
    expect(tree.warnings).toEqual([]);
    expect(tree.size).toBe(100_000);
    expect(tree.root).toMatchObject({ node: "burst", status: "ok" });
    const [rootSpan] = tree.root.children;
    expect(rootSpan).toMatchObject({ node: "burst", kind: "span" });
    expect(rootSpan!.children).toHaveLength(271);
    expect(new Set(tree.findAll(() => true).map((record) => record.id)).size).toBe(100_000);
    expect(tree.find((record) => record.attributes["runtrace.warning"] !== undefined)).toBeUndefined();
  }, 180_000);
});
