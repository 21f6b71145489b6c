// biome-ignore-all lint/suspicious/noThenProperty: hostile thenables are what these tests are about
import { beforeEach, describe, expect, it } from "vitest";
import { collectUnhandledRejections } from "../../../../test/helpers/unhandled.js";
import * as rt from "../index.js";

const unhandled = collectUnhandledRejections();

beforeEach(() => {
  rt.configure({ store: null });
});

const boom = new Error("then getter");
const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};
const hostileResults: [string, () => unknown][] = [
  [
    "a getter `then` that throws",
    () => ({
      get then() {
        throw boom;
      },
    }),
  ],
  [
    "a Proxy whose get trap throws",
    () =>
      new Proxy(
        {},
        {
          get() {
            throw boom;
          },
        },
      ),
  ],
  ["a revoked Proxy", revoked],
  [
    "a thenable whose then throws when called",
    () => ({
      then() {
        throw boom;
      },
    }),
  ],
];

/** What plain JS does with the same result: `await` of an async function returning it. */
async function plainOutcome(make: () => unknown) {
  return (async () => make())().then(
    () => "resolved",
    (error: unknown) => (error === boom ? "rejected with the error" : "rejected"),
  );
}

describe("a node whose result is hostile", () => {
  it.each(hostileResults)(
    "%s: rejects like plain JS, the record ends, the session too",
    async (_label, make) => {
      const plain = await plainOutcome(make);
      for (const sync of [true, false]) {
        const node = rt.functionNode(sync ? () => make() : async () => make(), { name: "hostile" });
        const session = new rt.Session({ name: "hostile" });
        const outcome = await session
          .run(() => rt.call(node))
          .then(
            () => "resolved",
            (error: unknown) => (error === boom ? "rejected with the error" : "rejected"),
          );
        expect(outcome).toBe(plain);
        const record = session.tree.find("hostile")!;
        expect(record.status).toBe("error");
        expect(record.error).toBeDefined();
        expect(session.status).toBe("error");
      }
      expect(unhandled).toEqual([]);
    },
  );

  it("with concurrency 1, the slot is released: the next call runs", async () => {
    let runs = 0;
    const node = rt.functionNode(
      () => {
        runs++;
        return runs === 1
          ? {
              get then() {
                throw boom;
              },
            }
          : "second";
      },
      { name: "gated", concurrency: 1 },
    );
    const session = new rt.Session({ name: "gate" });
    const [first, second] = await session.run(() => Promise.allSettled([rt.call(node), rt.call(node)]));
    expect(first).toEqual({ status: "rejected", reason: boom });
    expect(second).toEqual({ status: "fulfilled", value: "second" });
  });
});

describe("hostile thrown values and cancel reasons", () => {
  const hostileThrown: [string, () => unknown][] = [
    ["a revoked Proxy", revoked],
    [
      "a Proxy whose every trap throws",
      () =>
        new Proxy(
          {},
          {
            get() {
              throw boom;
            },
            getPrototypeOf() {
              throw boom;
            },
            has() {
              throw boom;
            },
            ownKeys() {
              throw boom;
            },
            getOwnPropertyDescriptor() {
              throw boom;
            },
          },
        ),
    ],
    [
      "an object with a throwing toPrimitive",
      () => ({
        [Symbol.toPrimitive]() {
          throw boom;
        },
      }),
    ],
    ["a null-prototype object", () => Object.create(null)],
  ];

  it.each(hostileThrown)(
    "throwing %s: the caller gets it unchanged, the record ends, with retries too",
    async (_label, make) => {
      const thrown = make();
      const node = rt.functionNode(
        () => {
          throw thrown;
        },
        { name: "throws", retry: { attempts: 2, delayMs: 1 } },
      );
      const session = new rt.Session({ name: "thrown" });
      const error = await session.run(() => rt.call(node)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(rt.RetryExhaustedError);
      const errors = (error as rt.RetryExhaustedError).errors;
      expect(errors.length === 2 && errors[0] === thrown && errors[1] === thrown).toBe(true);
      expect((error as Error).message).toMatch(/failed 2 attempts; last error: /);
      const record = session.tree.find("throws")!;
      expect(record).toMatchObject({ status: "error", attempts: 2 });
      expect(record.events?.filter((e) => e.name === "retry")).toHaveLength(1);
      expect(unhandled).toEqual([]);
    },
  );

  it.each(hostileThrown)("cancelling a session with %s as the reason", async (_label, make) => {
    const reason = make();
    const stuck = rt.functionNode(() => new Promise(() => {}), { name: "stuck" });
    const session = new rt.Session({ name: "cancelled" });
    const running = session.run(() => rt.call(stuck)).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(() => session.cancel(reason)).not.toThrow();
    const error = await running;
    expect(error).toBeInstanceOf(rt.CancelledError);
    expect(session.tree.find("stuck")!.status).toBe("cancelled");
    expect(session.status).toBe("cancelled");
  });

  it("the error guards never throw", () => {
    for (const [, make] of hostileThrown) {
      const value = make();
      expect(rt.isRuntraceError(value)).toBe(false);
      expect(rt.isCancelledError(value)).toBe(false);
      expect(rt.isTimeoutError(value)).toBe(false);
    }
  });
});
