import { describe, expect, it } from "vitest";
import * as semconv from "../internal/semconv.js";
import { LiveRecord, RecordClock } from "../recording/record.js";
import { CallTree } from "../recording/tree.js";
import { addAttributes } from "./attributes.js";
import { eventAttributes } from "./span-events.js";
import { callAttributes, renames, spanName, startAttributes } from "./span-shape.js";

describe("recorded values as span attributes", () => {
  it("keeps primitives and uniform arrays, flattens objects, stringifies the rest", () => {
    expect(
      addAttributes(
        {},
        {
          model: "gpt",
          tokens: 12,
          cached: false,
          tags: ["a", "b"],
          mixed: [1, "two"],
          nested: [{ a: 1 }],
          usage: { input: 3, detail: { cached: 1, deeper: { x: { y: 1 } } } },
          nothing: null,
          missing: undefined,
          empty: [],
        },
      ),
    ).toEqual({
      model: "gpt",
      tokens: 12,
      cached: false,
      tags: ["a", "b"],
      mixed: '[1,"two"]',
      nested: '[{"a":1}]',
      "usage.input": 3,
      "usage.detail.cached": 1,
      "usage.detail.deeper.x": '{"y":1}',
      empty: [],
    });
  });

  it("leaves out a value recorded under the key __proto__, which the SDK would make the prototype", () => {
    const out = addAttributes({}, JSON.parse('{"__proto__": ["a", "b"], "model": "gpt"}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.entries(out)).toEqual([["model", "gpt"]]);
  });

  it("brings a span's flow attributes back without touching any prototype, whatever their keys", () => {
    const call = { sessionId: "20261129-003400-0123456789", callId: "1", kind: "flow" as const, node: "f" };
    const back = callAttributes(
      call,
      {
        "runtrace.flow.step": "s1",
        "runtrace.flow.x.__proto__.polluted": 1,
        "runtrace.flow.y.constructor.prototype.polluted": 2,
      },
      new Set(),
    );
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(back)).toBe(
      '{"flow.step":"s1","flow.x":{"__proto__":{"polluted":1}},"flow.y":{"constructor":{"prototype":{"polluted":2}}}}',
    );
  });

  it("keeps a wide object as one JSON attribute instead of dozens", () => {
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    const out = addAttributes({}, { wide });
    expect(Object.keys(out)).toEqual(["wide"]);
    expect(JSON.parse(String(out.wide))).toEqual(wide);
  });

  it("turns event data into event attributes", () => {
    expect(eventAttributes({ name: "e", time: 1 })).toBeUndefined();
    expect(eventAttributes({ name: "e", time: 1, data: 3 })).toEqual({ "runtrace.data": 3 });
    expect(eventAttributes({ name: "e", time: 1, data: [1, 2] })).toEqual({ "runtrace.data": "[1,2]" });
    expect(
      eventAttributes({
        name: "retry",
        time: 1,
        data: { attempt: 2, delayMs: 40, error: { name: "Error", message: "boom", stack: "Error: boom" } },
      }),
    ).toEqual({
      "runtrace.retry.attempt": 2,
      "runtrace.retry.delay_ms": 40,
      "exception.type": "Error",
      "exception.message": "boom",
      "exception.stacktrace": "Error: boom",
    });
  });
});

describe("span names and start attributes", () => {
  const record = (kind: LiveRecord["kind"], attributes?: Record<string, unknown>) => {
    const r = new LiveRecord(7, null, new RecordClock("s-1", 0), "node", kind, 1, ["in"]);
    if (attributes) r.attributes = attributes;
    new CallTree(r);
    return r;
  };

  it("follows the GenAI conventions per kind", () => {
    expect(spanName(record("function"))).toBe("node");
    expect(spanName(record("session"))).toBe("node");
    expect(spanName(record("tool"))).toBe("execute_tool node");
    expect(spanName(record("agent"))).toBe("invoke_agent node");
    expect(spanName(record("flow"))).toBe("invoke_workflow node");
    expect(spanName(record("llm"))).toBe("chat node");
    expect(spanName(record("llm", { "gen_ai.request.model": "m-1" }))).toBe("chat m-1");
    expect(
      spanName(record("llm", { "gen_ai.operation.name": "embeddings", "gen_ai.request.model": "e" })),
    ).toBe("embeddings e");
    expect(renames(record("llm"), { "gen_ai.request.model": "x" })).toBe(true);
    expect(renames(record("tool"), { "gen_ai.request.model": "x" })).toBe(false);
  });

  it("uses the documented attribute names (the literal keys match the constants)", () => {
    const start = startAttributes(record("tool"), true);
    expect(start).toEqual({
      [semconv.ATTR_RUNTRACE_NODE]: "node",
      [semconv.ATTR_RUNTRACE_KIND]: "tool",
      [semconv.ATTR_RUNTRACE_SESSION_ID]: "s-1",
      [semconv.ATTR_RUNTRACE_CALL_ID]: "7",
      [semconv.ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
      [semconv.ATTR_GEN_AI_TOOL_NAME]: "node",
      [semconv.ATTR_GEN_AI_TOOL_TYPE]: "function",
      [semconv.ATTR_RUNTRACE_INPUT]: '["in"]',
    });
    // A call's own attributes may override the GenAI defaults.
    expect(
      startAttributes(record("tool", { "gen_ai.tool.type": "extension" }), false)["gen_ai.tool.type"],
    ).toBe("extension");
  });
});
