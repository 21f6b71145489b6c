import * as rt from "@runtrace/core";
import { describe, expect, it } from "vitest";
import { receiver, tracing, useTracingTestHooks, warnings } from "./helpers.js";

useTracingTestHooks();

const work = rt.functionNode(async (n: number) => n * 2, { name: "work" });

/** Several sessions, each flushed on its own, so that several export requests fail. */
async function runSessions(setup: { flush(): Promise<void> }): Promise<number[]> {
  const results: number[] = [];
  for (let i = 0; i < 3; i++) {
    results.push(await rt.session(`run-${i}`, () => rt.call(work, i)));
    await expect(setup.flush()).resolves.toBeUndefined();
  }
  return results;
}

describe("when the trace backend fails", () => {
  it("answers 500: user code is unaffected and the loss is reported once", async () => {
    const jaegerLike = await receiver();
    jaegerLike.failWith(500);
    const setup = tracing({ serviceName: "failing", endpoint: jaegerLike.url });
    expect(await runSessions(setup)).toEqual([0, 2, 4]);
    expect(jaegerLike.requestLog.filter((r) => r.status === 500).length).toBeGreaterThanOrEqual(3);
    expect(jaegerLike.spans).toHaveLength(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(jaegerLike.tracesUrl);
    expect(warnings[0]).toMatch(/HTTP 500.*span\(s\) lost/);
    await expect(setup.shutdown()).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it("is down: user code is unaffected, flush and shutdown resolve, the loss is reported once", async () => {
    const gone = await receiver();
    const url = gone.url;
    await gone.close();
    // A short export timeout: the exporter retries refused connections until it runs out.
    const setup = tracing({ serviceName: "down", endpoint: url, timeoutMs: 300 });
    expect(await runSessions(setup)).toEqual([0, 2, 4]);
    await expect(setup.shutdown()).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${url}/v1/traces`);
  });

  it("names the endpoint without its password or secret query parameters", async () => {
    const jaegerLike = await receiver();
    jaegerLike.failWith(500);
    const endpoint = `${jaegerLike.url.replace("http://", "http://collector:EXPMARKER1@")}/v1/traces?api-key=EXPMARKER2`;
    const setup = tracing({ serviceName: "failing", endpoint });
    await runSessions(setup);
    await setup.shutdown();
    expect(jaegerLike.requestLog.length).toBeGreaterThan(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("http://collector:[redacted]@127.0.0.1:");
    expect(warnings[0]).toContain("/v1/traces?api-key=[redacted]");
    expect(warnings.join("\n")).not.toContain("EXPMARKER");
  });

  it("reports again only after it recovered and failed anew", async () => {
    const jaegerLike = await receiver();
    const setup = tracing({ serviceName: "flapping", endpoint: jaegerLike.url });
    jaegerLike.failWith(500);
    await runSessions(setup);
    jaegerLike.failWith(null);
    await runSessions(setup);
    expect(jaegerLike.spans.length).toBeGreaterThan(0);
    jaegerLike.failWith(500);
    await runSessions(setup);
    expect(warnings).toHaveLength(2);
  });
});
