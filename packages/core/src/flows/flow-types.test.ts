// Types are checked by `npm run typecheck` (tsconfig.test.json): each `@ts-expect-error` fails the
// build if the line stops being an error, each `expectTypeOf` if the type changes. The runs check
// that the typed values are the ones the flow really passes.
import { describe, expect, expectTypeOf, it } from "vitest";
import * as rt from "../index.js";

interface Request {
  topic: string;
  rows: number[];
}

const stats = rt.functionNode((request: Request) => ({ mean: request.rows.reduce((a, b) => a + b, 0) / 2 }), {
  name: "flow-types.stats",
});
const write = rt.functionNode((s: { mean: number }, topic: string) => `${topic}: ${s.mean}`, {
  name: "flow-types.write",
});
const count = rt.functionNode((request: { topic: string; extra: boolean }) => request.topic.length, {
  name: "flow-types.count",
});
const now = rt.functionNode(() => 42, { name: "flow-types.now" });
const anything = rt.functionNode((x: any) => String(x), { name: "flow-types.anything" });

describe("a flow's input is typed from its root steps", () => {
  it("types `input` in `args` and the flow's parameter from the root node", async () => {
    const weekly = rt.flow(
      "flow-types.weekly",
      {
        stats,
        report: {
          node: write,
          after: ["stats"],
          args: ({ input, results }) => {
            expectTypeOf(input).toEqualTypeOf<Request>();
            return [results.stats, input.topic];
          },
        },
      },
      { returns: "report" },
    );
    expectTypeOf(weekly).parameter(0).toEqualTypeOf<Request>();
    expectTypeOf<rt.FlowInput<{ stats: typeof stats }>>().toEqualTypeOf<Request>();
    expect(await weekly({ topic: "rain", rows: [1, 3] })).toBe("rain: 2");
    // @ts-expect-error the flow takes what its root step takes
    await expect(rt.session("flow-types.bad", () => weekly("rain"))).rejects.toThrow();
  });

  it("rejects a property the input does not have", () => {
    rt.flow("flow-types.typo", {
      stats,
      report: {
        node: write,
        after: ["stats"],
        // @ts-expect-error `input` is a Request: it has no `title`
        args: ({ input, results }) => [results.stats, input.title],
      },
    });
  });

  it("takes the input of every root step at once when there are several", () => {
    const both = rt.flow("flow-types.both", {
      stats,
      count,
      both: { node: now, after: ["stats", "count"] },
    });
    expectTypeOf(both).parameter(0).toEqualTypeOf<Request & { topic: string; extra: boolean }>();
  });

  it("leaves the input open when no root step takes an argument, or a root takes anything", async () => {
    const clock = rt.flow("flow-types.clock", {
      now,
      show: {
        node: anything,
        after: ["now"],
        args: ({ input }) => {
          expectTypeOf(input).toBeUnknown();
          return [input];
        },
      },
    });
    expectTypeOf(clock).parameter(0).toBeAny();
    expect(await clock()).toEqual({ now: 42, show: "undefined" });
    const loose = rt.flow("flow-types.loose", { anything });
    expectTypeOf(loose).parameter(0).toBeAny();
  });

  it("keeps the result types, and `rt.Flow<R>` written by hand still works", () => {
    const f = rt.flow("flow-types.result", { stats, n: { node: now, after: ["stats"] } });
    expectTypeOf(f).returns.resolves.toEqualTypeOf<{ stats: { mean: number }; n: number }>();
    const asFlow: rt.Flow<unknown> = f;
    expectTypeOf(asFlow).parameter(0).toBeAny();
  });
});

describe("rt.all types mixed tasks like Promise.all", () => {
  const ask = rt.functionNode(async (q: string) => q.length, { name: "flow-types.ask" });
  const words = rt.functionNode((s: string) => s.split(" "), { name: "flow-types.words" });

  it("a tuple of tasks resolves with a tuple of their results", async () => {
    const [length, split, literal] = await rt.all([
      () => rt.call(ask, "why"),
      () => rt.call(words, "a b"),
      () => "plain",
    ]);
    expectTypeOf(length).toEqualTypeOf<number>();
    expectTypeOf(split).toEqualTypeOf<string[]>();
    expectTypeOf(literal).toEqualTypeOf<string>();
    expect([length, split, literal]).toEqual([3, ["a", "b"], "plain"]);
  });

  it("with settle: true, a tuple of outcomes", async () => {
    const outcomes = await rt.all(
      [
        () => rt.call(ask, "x"),
        async (): Promise<boolean> => {
          throw new Error("no");
        },
      ],
      { settle: true },
    );
    expectTypeOf(outcomes).toEqualTypeOf<[rt.Settled<number>, rt.Settled<boolean>]>();
    expect(outcomes[0]).toEqual({ ok: true, value: 1 });
    expect(outcomes[1].ok).toBe(false);
  });

  it("arrays still give arrays, and the element type can still be given", async () => {
    const tasks = ["a", "bb"].map((q) => () => rt.call(ask, q));
    expectTypeOf(await rt.all(tasks, { concurrency: 1 })).toEqualTypeOf<number[]>();
    expectTypeOf(await rt.all(tasks, { settle: true })).toEqualTypeOf<rt.Settled<number>[]>();
    expectTypeOf(await rt.all<number>(tasks)).toEqualTypeOf<number[]>();
    expectTypeOf(await rt.all([])).toEqualTypeOf<[]>();
    // @ts-expect-error tasks are functions that start the work, not values
    expect(() => rt.all([1, 2])).toThrow(rt.InvalidOptionsError);
  });

  it("rt.asCompleted takes mixed tasks too", async () => {
    const seen: Array<number | string> = [];
    for await (const r of rt.asCompleted([() => rt.call(ask, "xy"), () => "s"])) {
      if (r.ok) {
        expectTypeOf(r.value).toEqualTypeOf<number | string>();
        seen.push(r.value);
      }
    }
    expect(seen.sort()).toEqual([2, "s"]);
  });
});
