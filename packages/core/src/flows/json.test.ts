import { beforeEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";

beforeEach(() => {
  rt.configure({ store: null });
});

const split = rt.functionNode((text: string) => text.split(" "), { name: "json.split" });
const count = rt.functionNode((words: string[]) => words.length, { name: "json.count" });
const longest = rt.functionNode((words: string[]) => words.reduce((a, b) => (b.length > a.length ? b : a)), {
  name: "json.longest",
});
const describeText = rt.functionNode(
  (facts: { count: number; longest: string }) => `${facts.count}/${facts.longest}`,
  {
    name: "json.describe",
  },
);

describe("toJSON and rt.flowFromJSON", () => {
  const original = rt.flow(
    "words",
    {
      words: split,
      count: { node: count, after: ["words"] },
      longest: { node: longest, after: ["words"], exclude: true },
      summary: { node: describeText, after: ["count", "longest"] },
    },
    { concurrency: 2, onError: "continue", description: "facts about a text" },
  );

  it("round-trips through JSON text to a flow that runs to the same result", async () => {
    const spec = original.toJSON();
    expect(spec).toEqual({
      format: "runtrace.flow",
      version: 1,
      name: "words",
      description: "facts about a text",
      steps: [
        { name: "words", node: "json.split", after: [], exclude: false },
        { name: "count", node: "json.count", after: ["words"], exclude: false },
        { name: "longest", node: "json.longest", after: ["words"], exclude: true },
        { name: "summary", node: "json.describe", after: ["count", "longest"], exclude: false },
      ],
      options: { parallel: true, onError: "continue", concurrency: 2 },
    });
    const text = JSON.stringify(original);
    expect(JSON.parse(text)).toEqual(spec);

    const expected = await rt.session("original", () => original("the quick brown fox"));
    const loaded = rt.flowFromJSON(text);
    expect(loaded.kind).toBe("flow");
    expect(loaded.flowOptions).toEqual(original.flowOptions);
    expect(loaded.toJSON()).toEqual(spec);
    const again = await rt.session("loaded", () => loaded("the quick brown fox"));
    expect(again).toEqual(expected);
    expect(again).toEqual({ words: ["the", "quick", "brown", "fox"], count: 4, summary: "4/quick" });
  });

  it("flags `args` functions instead of dropping them silently, and takes them back on load", async () => {
    const mapped = rt.flow(
      "words-mapped",
      { words: split, count: { node: count, after: ["words"], args: ({ results }) => [results.words] } },
      { returns: "count" },
    );
    const spec = mapped.toJSON();
    expect(spec.steps[1]).toEqual({
      name: "count",
      node: "json.count",
      after: ["words"],
      exclude: false,
      args: true,
    });
    expect(() => rt.flowFromJSON(spec)).toThrow(
      /step "count" of flow "words-mapped" had an `args` function, which JSON cannot hold\. Pass it back: rt\.flowFromJSON\(spec, \{ args: \{ "count"/,
    );
    const loaded = rt.flowFromJSON(spec, { args: { count: ({ input }) => [String(input).split("-")] } });
    expect(await loaded("a-b-c")).toBe(3);
    expect(() => rt.flowFromJSON(spec, { args: { count: () => [], nope: () => [] } })).toThrow(
      /options\.args names "nope", which is not a step/,
    );
  });

  it("rejects unknown node names, duplicate steps, cycles and foreign specs with what to fix", () => {
    const base = original.toJSON();
    const unknownNode = {
      ...base,
      steps: [{ name: "words", node: "json.missing", after: [], exclude: false }],
    };
    expect(() => rt.flowFromJSON(unknownNode)).toThrow(rt.FlowDefinitionError);
    expect(() => rt.flowFromJSON(unknownNode)).toThrow(
      /step "words" of flow "words" uses node "json\.missing", which is not registered \(registered: .*json\.split.*\)\. Define it first, e\.g\. rt\.functionNode\(fn, \{ name: "json\.missing" \}\)/,
    );

    const duplicate = { ...base, steps: [base.steps[0], base.steps[0]] };
    expect(() => rt.flowFromJSON(duplicate)).toThrow(/defines step "words" twice \(steps 1 and 2\)/);

    const cyclic = {
      ...base,
      options: { parallel: true, onError: "fail-fast" },
      steps: [
        { name: "a", node: "json.count", after: ["c"], exclude: false },
        { name: "b", node: "json.count", after: ["a"], exclude: false },
        { name: "c", node: "json.count", after: ["b"], exclude: false },
      ],
    };
    let caught: unknown;
    try {
      rt.flowFromJSON(cyclic);
    } catch (error) {
      caught = error;
    }
    expect(rt.isRuntraceError(caught)).toBe(true);
    expect((caught as rt.FlowDefinitionError).code).toBe("RUNTRACE_FLOW_DEFINITION");
    expect((caught as Error).message).toContain("its steps form a cycle: a → b → c → a");
    expect((caught as rt.FlowDefinitionError).steps).toEqual(["a", "b", "c", "a"]);

    expect(() => rt.flowFromJSON({ ...base, version: 2 })).toThrow(
      /format "runtrace\.flow" and version 1, got .*version 2 \(number\)/,
    );
    expect(() => rt.flowFromJSON("{not json")).toThrow(/the spec is a string but not JSON/);
    expect(() => rt.flowFromJSON({ ...base, options: { onError: "retry" } })).toThrow(rt.InvalidOptionsError);
  });
});
