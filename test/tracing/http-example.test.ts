import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { callId, receiver, useTracingTestHooks } from "./helpers.js";

useTracingTestHooks();

const run = promisify(execFile);
const client = fileURLToPath(new URL("../../examples/dist/http-trace/client.js", import.meta.url));
const WORDS = 4; // "one trace two processes"

describe("the http-trace example", () => {
  it("joins the client and the server it spawns into one trace, as Jaeger would show it", async () => {
    expect(existsSync(client), "examples/dist is missing: run `npx tsc -b` first").toBe(true);
    const jaegerLike = await receiver();
    const { stdout } = await run(process.execPath, [client], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: jaegerLike.url, RUNTRACE_STORE: "off" },
    });
    expect(stdout).toContain("ONE! TRACE! TWO! PROCESSES!");

    // Client: session, shoutEveryWord, one shoutRemote per word; server: a session and shout per word.
    const received = await jaegerLike.waitForSpans(2 + WORDS + 2 * WORDS);
    expect(received).toHaveLength(2 + WORDS + 2 * WORDS);
    const { data } = jaegerLike.jaeger();
    expect(data).toHaveLength(1);
    expect(stdout).toContain(`trace ${data[0]!.traceID}`);
    const services = Object.values(data[0]!.processes).map((p) => p.serviceName);
    expect(services.sort()).toEqual(["http-trace-client", "http-trace-server"]);

    const remoteCalls = new Set(
      received.filter((s) => s.name === "execute_tool shoutRemote").map((s) => s.spanId),
    );
    const serverRoots = received.filter(
      (s) => s.resource["service.name"] === "http-trace-server" && callId(s) === "0",
    );
    expect(serverRoots).toHaveLength(WORDS);
    for (const root of serverRoots) {
      expect(root.name).toBe("POST /shout");
      expect(remoteCalls.has(root.parentSpanId!)).toBe(true);
    }
    // Each server session hangs under a different client call.
    expect(new Set(serverRoots.map((r) => r.parentSpanId)).size).toBe(WORDS);
  });
});
