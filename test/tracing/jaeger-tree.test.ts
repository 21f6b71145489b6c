import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";
import { describe, expect, it } from "vitest";
import { callId, receiver, tag, tracing, useTracingTestHooks, warnings } from "./helpers.js";

useTracingTestHooks();

const splitText = rt.functionNode((text: string) => text.split(" "), { name: "splitText" });
const alternateCapitalization = rt.functionNode(
  async (word: string) => {
    await sleep(2 + Math.random() * 5);
    return [...word].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
  },
  { name: "alternateCapitalization" },
);

class TextTools {
  @rt.functionNode({ kind: "tool", description: "Counts letters" })
  async countLetters(word: string): Promise<number> {
    await sleep(1);
    return word.length;
  }

  @rt.functionNode({ kind: "tool" })
  async lookup(word: string): Promise<string> {
    throw new RangeError(`no entry for ${word}`);
  }

  @rt.functionNode
  async modifyText(text: string): Promise<string> {
    const words = await rt.call(splitText, text);
    const modified = await Promise.all(words.map((word) => rt.call(alternateCapitalization, word)));
    await Promise.all(words.map((word) => rt.call(this.countLetters, word)));
    await rt.call(this.lookup, words[0]!).catch(() => undefined);
    return modified.join(" ");
  }
}

describe("setupTracing to an OTLP receiver that keeps Jaeger's contract", () => {
  it("shows the modifyText tree plus decorated tools as one trace whose CHILD_OF references are the call tree", async () => {
    const jaegerLike = await receiver();
    const setup = tracing({ serviceName: "modify-text", endpoint: jaegerLike.url });
    const tools = new TextTools();
    const session = new rt.Session({ name: "modify" });
    expect(await session.run(() => rt.call(tools.modifyText, "Hello big World"))).toBe("hELLO BIG wORLD");
    await setup.flush();

    const calls = session.tree.size;
    expect(calls).toBe(1 + 1 + 3 + 3 + 1);
    const received = await jaegerLike.waitForSpans(calls + 1);
    expect(received).toHaveLength(calls + 1);

    // One trace, from one process named after the service.
    const { data } = jaegerLike.jaeger();
    expect(data).toHaveLength(1);
    const trace = data[0]!;
    expect(trace.traceID).toBe(session.tree.root.traceId);
    expect(Object.values(trace.processes).map((p) => p.serviceName)).toEqual(["modify-text"]);
    const processTags = Object.values(trace.processes)[0]!.tags.map((t) => t.key);
    expect(processTags).toEqual(expect.arrayContaining(["telemetry.sdk.language", "telemetry.sdk.name"]));

    // CHILD_OF references rebuild exactly the recorded parent/child pairs.
    const callOf = new Map(trace.spans.map((s) => [s.spanID, String(tag(s, "runtrace.call.id"))]));
    const fromJaeger = trace.spans
      .filter((s) => s.references.length > 0)
      .map((s) => {
        expect(s.references).toHaveLength(1);
        expect(s.references[0]!.refType).toBe("CHILD_OF");
        return `${callOf.get(s.references[0]!.spanID)} -> ${tag(s, "runtrace.call.id")}`;
      })
      .sort();
    const fromTree = [...session.tree].map((r) => `${r.parentId} -> ${r.id}`).sort();
    expect(fromJaeger).toEqual(fromTree);
    const roots = trace.spans.filter((s) => s.references.length === 0);
    expect(roots.map((s) => s.operationName)).toEqual(["modify"]);

    // Names as a user sees them in Jaeger's operation list.
    const names = trace.spans.map((s) => s.operationName);
    expect(names).toEqual(
      expect.arrayContaining([
        "TextTools.modifyText",
        "splitText",
        "alternateCapitalization",
        "execute_tool TextTools.countLetters",
        "execute_tool TextTools.lookup",
      ]),
    );

    // Each child's interval lies inside its parent's (nanoseconds as received).
    const byId = new Map(received.map((s) => [s.spanId, s]));
    for (const span of received) {
      if (span.parentSpanId === undefined) continue;
      const parent = byId.get(span.parentSpanId)!;
      expect(span.startNs >= parent.startNs, `${span.name} starts inside ${parent.name}`).toBe(true);
      expect(span.endNs <= parent.endNs, `${span.name} ends inside ${parent.name}`).toBe(true);
      expect(span.traceId).toBe(parent.traceId);
    }

    // The failed tool: ERROR status, an exception event, and Jaeger's error=true.
    const failedRecord = session.tree.find("TextTools.lookup")!;
    expect(failedRecord.status).toBe("error");
    const failed = received.find((s) => callId(s) === failedRecord.id)!;
    expect(failed.status).toEqual({ code: 2, message: "no entry for Hello" });
    const exception = failed.events.find((e) => e.name === "exception")!;
    expect(exception.attributes["exception.type"]).toBe("RangeError");
    expect(String(exception.attributes["exception.stacktrace"])).toContain("no entry for Hello");
    const failedInJaeger = trace.spans.find((s) => s.spanID === failed.spanId)!;
    expect(tag(failedInJaeger, "error")).toBe(true);
    expect(failedInJaeger.logs.some((log) => log.fields.some((f) => f.value === "exception"))).toBe(true);
    expect(trace.spans.filter((s) => tag(s, "error") === true)).toHaveLength(1);
    expect(tag(failedInJaeger, "gen_ai.tool.name")).toBe("TextTools.lookup");
    expect(warnings).toEqual([]);
  });

  it("sends OTLP/JSON on request and keeps the same picture", async () => {
    const jaegerLike = await receiver();
    const setup = tracing({ serviceName: "json", endpoint: jaegerLike.tracesUrl, protocol: "http/json" });
    const session = new rt.Session({ name: "json-run" });
    await session.run(() => rt.call(new TextTools().modifyText, "a b"));
    await setup.flush();
    const received = await jaegerLike.waitForSpans(session.tree.size + 1);
    expect(jaegerLike.requestLog.every((r) => r.contentType?.startsWith("application/json"))).toBe(true);
    expect(new Set(received.map((s) => s.traceId))).toEqual(new Set([session.tree.root.traceId]));
  });
});
