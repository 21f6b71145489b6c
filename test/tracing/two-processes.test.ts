import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as rt from "@runtrace/core";
import { describe, expect, it } from "vitest";
import { callId, receiver, tag, tracing, useTracingTestHooks, warnings } from "./helpers.js";

useTracingTestHooks();

const run = promisify(execFile);
const callee = fileURLToPath(new URL("./fixtures/callee.mjs", import.meta.url));
const built = fileURLToPath(new URL("../../packages/core/dist/otel.js", import.meta.url));

describe("two processes joined by rt.inject and Session({ parent })", () => {
  it("make one trace: the callee's root span is a child of the caller's span", async () => {
    // The child imports the built package, as a deployed service would (`npm test` builds first).
    expect(existsSync(built), "packages/core/dist is missing: run `npx tsc -b` first").toBe(true);
    const jaegerLike = await receiver();
    const setup = tracing({ serviceName: "caller", endpoint: jaegerLike.url });
    const callService = rt.functionNode(
      async (text: string) => {
        const carrier = rt.inject<Record<string, string>>({});
        expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
        const { stdout } = await run(process.execPath, [callee, text], {
          env: { ...process.env, TRACE_CARRIER: JSON.stringify(carrier), RECEIVER_URL: jaegerLike.url },
        });
        return JSON.parse(stdout) as { out: string; traceId: string; spanId: string };
      },
      { name: "callService", kind: "tool" },
    );
    const session = new rt.Session({ name: "caller" });
    const answer = await session.run(() => rt.call(callService, "hello"));
    await setup.flush();
    expect(answer.out).toBe("HELLO");

    const caller = session.tree.find("callService")!;
    // Caller: session + callService; callee: session + shout.
    const received = await jaegerLike.waitForSpans(4);
    expect(received).toHaveLength(4);
    expect(new Set(received.map((s) => s.traceId))).toEqual(new Set([caller.traceId]));
    expect(answer.traceId).toBe(caller.traceId);

    const calleeRoot = received.find((s) => s.resource["service.name"] === "callee" && callId(s) === "0")!;
    expect(calleeRoot.spanId).toBe(answer.spanId);
    expect(calleeRoot.parentSpanId).toBe(caller.spanId);

    // What Jaeger shows: one trace, two services, the callee hanging under callService.
    const { data } = jaegerLike.jaeger();
    expect(data).toHaveLength(1);
    const trace = data[0]!;
    expect(
      Object.values(trace.processes)
        .map((p) => p.serviceName)
        .sort(),
    ).toEqual(["callee", "caller"]);
    const calleeSpan = trace.spans.find((s) => s.spanID === calleeRoot.spanId)!;
    expect(calleeSpan.references).toEqual([
      { refType: "CHILD_OF", traceID: trace.traceID, spanID: caller.spanId },
    ]);
    const callerSpan = trace.spans.find((s) => s.spanID === caller.spanId)!;
    expect(callerSpan.operationName).toBe("execute_tool callService");
    expect(tag(callerSpan, "runtrace.session.id")).toBe(session.id);
    expect(warnings).toEqual([]);
  });
});
