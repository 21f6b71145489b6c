import { beforeEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";

beforeEach(() => {
  rt.configure({ store: null });
});

const a = rt.functionNode((x: unknown) => x, { name: "def.a" });
const b = rt.functionNode((x: unknown) => x, { name: "def.b" });

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a throw");
}

describe("flow definitions are checked when they are made", () => {
  it("rejects a cycle, showing its path", () => {
    const error = thrown(() =>
      rt.flow("loop", {
        fetch: a,
        parse: { node: b, after: ["fetch", "check"] },
        enrich: { node: a, after: ["parse"] },
        check: { node: b, after: ["enrich"] },
      }),
    );
    expect(error).toBeInstanceOf(rt.FlowDefinitionError);
    expect(error.code).toBe("RUNTRACE_FLOW_DEFINITION");
    expect(error.message).toBe(
      'Flow "loop": its steps form a cycle: parse → enrich → check → parse. A flow must be acyclic (each arrow reads "runs before"); remove one of these dependencies from an `after`.',
    );
    expect(thrown(() => rt.flow("self", { me: { node: a, after: ["me"] } })).message).toContain(
      "cycle: me → me",
    );
  });

  it("rejects an unknown dependency, naming it and the steps there are", () => {
    const error = thrown(() => rt.flow("typo", { stats: a, report: { node: b, after: ["stat"] } }));
    expect(error).toBeInstanceOf(rt.FlowDefinitionError);
    expect(error.message).toBe(
      'Flow "typo": step "report" runs after "stat", which is not a step of this flow (steps: stats, report). Fix the name in the `after` of "report", or add a step "stat".',
    );
  });

  it("rejects a step that is not a node, with how to wrap it", () => {
    function fetchPage() {
      return "page";
    }
    const plain = thrown(() => rt.flow("plain", { fetch: fetchPage as never }));
    expect(plain).toBeInstanceOf(rt.FlowDefinitionError);
    expect(plain.message).toContain('step "fetch" is not a node, got function fetchPage.');
    expect(plain.message).toContain('rt.functionNode(fetchPage, { name: "fetch" })');
    expect(thrown(() => rt.flow("obj", { fetch: { node: "def.a" } as never })).message).toContain(
      'step "fetch" is not a node, got "def.a" (string)',
    );
    expect(thrown(() => rt.flow("key", { fetch: { node: a, depends: [] } as never })).message).toContain(
      'step "fetch": unknown option `depends`. Known options: node, after, args, exclude. (Dependencies go in `after`.)',
    );
    expect(thrown(() => rt.flow("str", { x: a, y: { node: b, after: "x" as never } })).message).toContain(
      'Write after: ["x"]',
    );
    expect(thrown(() => rt.flow("twice", { x: a, y: { node: b, after: ["x", "x"] } })).message).toContain(
      'lists "x" twice',
    );
    expect(thrown(() => rt.flow("empty", {})).message).toContain('Flow "empty" has no steps');
    expect(thrown(() => rt.flow("", { a })).message).toContain('got "" (string)');
  });

  it("rejects bad options with the value received, what was expected and the fix", () => {
    const steps = { first: a, second: { node: b, after: ["first"] } };
    const zero = thrown(() => rt.flow("opts", steps, { concurrency: 0 }));
    expect(zero).toBeInstanceOf(rt.InvalidOptionsError);
    expect(zero.message).toBe(
      'Flow "opts": expected `concurrency` to be a positive integer (how many steps may run at once), got 0 (number).',
    );
    expect(thrown(() => rt.flow("opts", steps, { onError: "ignore" as never })).message).toBe(
      'Flow "opts": expected `onError` to be "fail-fast" or "continue", got "ignore" (string).',
    );
    expect(thrown(() => rt.flow("opts", steps, { returns: "third" as never })).message).toBe(
      'Flow "opts": expected `returns` to name one of its steps (first, second), got "third" (string). Use a step name, or leave `returns` out to get every output.',
    );
    expect(thrown(() => rt.flow("opts", steps, { paralel: false } as never)).message).toContain(
      "unknown option `paralel` (did you mean `parallel`?). Known options: parallel,",
    );
    expect(thrown(() => rt.flow("opts", steps, { parallel: false, concurrency: 4 })).message).toContain(
      "`parallel: false` runs one step at a time, but `concurrency` is 4",
    );
  });

  it("rejects an `args` mapping that does not return an array, when the step is due", async () => {
    const f = rt.flow("bad-args", {
      first: a,
      second: { node: b, after: ["first"], args: (() => "x") as never },
    });
    await expect(rt.session("bad-args", () => f(1))).rejects.toThrow(
      'Flow "bad-args": the `args` function of step "second" returned "x" (string); expected an array of arguments',
    );
  });
});
