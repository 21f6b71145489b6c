// biome-ignore-all lint/suspicious/noThenProperty: hostile thenables are part of the table
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { collectUnhandledRejections } from "../../../../test/helpers/unhandled.js";
import * as rt from "../index.js";
import { sanitize, sanitizeError } from "./sanitize.js";

/*
 * Values that fight back, passed through everything that records user values: sanitize(),
 * sanitizeError(), and real calls (as argument, as result, as thrown error) with a memory store and
 * a JSONL store. Recording never throws into user code and never hangs: the call settles as plain JS
 * would, its record ends with the right status, and what could not be read is marked in the record.
 */

/** What the record shows where a getter, a trap or a conversion failed. */
const MARKER = /\[Thrown: |\[unprintable\]/;

const fail = (what: string) => (): never => {
  throw new Error(`hostile ${what}`);
};

const TRAPS = [
  "apply",
  "construct",
  "defineProperty",
  "deleteProperty",
  "get",
  "getOwnPropertyDescriptor",
  "getPrototypeOf",
  "has",
  "isExtensible",
  "ownKeys",
  "preventExtensions",
  "set",
  "setPrototypeOf",
] as const;
const everyTrapThrows = (): ProxyHandler<any> => Object.fromEntries(TRAPS.map((t) => [t, fail(`trap ${t}`)]));

function revoked<T extends object>(target: T): T {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/**
 * `value` at every level down to 12: one of them lands just past maxDepth (10), where only a label
 * naming it is recorded, whether it is recorded as a value or inside an argument list.
 */
function deep(value: unknown): unknown {
  let out = value;
  for (let i = 0; i < 12; i++) out = { at: value, down: out };
  return out;
}

class Thing {
  x = 1;
}

interface Row {
  name: string;
  make: () => unknown;
  /** Whether something in it cannot be read, so its record must show a marker. */
  marker: boolean;
  /** What the recorded copy must still hold (as JSON text) beside the marker. */
  keeps?: string;
}

const rows: Row[] = [
  { name: "a Proxy whose every trap throws", make: () => new Proxy({}, everyTrapThrows()), marker: true },
  {
    name: "a function Proxy whose every trap throws",
    make: () => new Proxy(() => 1, everyTrapThrows()),
    marker: true,
  },
  { name: "a revoked Proxy", make: () => revoked({}), marker: true },
  { name: "a revoked Proxy of a function", make: () => revoked(() => 1), marker: true },
  { name: "a revoked Proxy of an array", make: () => revoked([1, 2]), marker: true },
  {
    name: "an object holding a revoked Proxy",
    make: () => ({ ok: 1, inner: revoked({}) }),
    marker: true,
    keeps: '"ok":1',
  },
  {
    name: "a Map keyed by a revoked Proxy",
    make: () => new Map([[revoked({}), "v"]]),
    marker: true,
    keeps: '"v"',
  },
  {
    name: "{ get then() { throw } }",
    make: () => ({
      get then() {
        throw new Error("hostile then");
      },
    }),
    marker: true,
  },
  { name: "a toJSON that throws", make: () => ({ toJSON: fail("toJSON") }), marker: true },
  { name: "a toJSON returning a revoked Proxy", make: () => ({ toJSON: () => revoked({}) }), marker: true },
  {
    name: "a getter that throws",
    make: () => Object.defineProperty({ ok: 1 }, "bad", { enumerable: true, get: fail("getter") }),
    marker: true,
    keeps: '"ok":1',
  },
  {
    name: "a Symbol.toPrimitive that throws",
    make: () => ({ [Symbol.toPrimitive]: fail("toPrimitive") }),
    marker: false,
  },
  {
    name: "an error whose message's Symbol.toPrimitive throws",
    make: () =>
      Object.defineProperty(new Error(), "message", { value: { [Symbol.toPrimitive]: fail("toPrimitive") } }),
    marker: true,
  },
  {
    name: "an error whose message's Symbol.toPrimitive returns an object",
    make: () =>
      Object.defineProperty(new Error(), "message", { value: { [Symbol.toPrimitive]: () => ({}) } }),
    marker: true,
  },
  {
    name: "a Date whose own Symbol.toPrimitive, toISOString and getTime throw",
    make: () =>
      Object.defineProperties(new Date(0), {
        [Symbol.toPrimitive]: { value: fail("toPrimitive") },
        toISOString: { value: fail("toISOString") },
        getTime: { value: fail("getTime") },
      }),
    marker: false,
    keeps: "1970-01-01T00:00:00.000Z",
  },
  {
    name: "a constructor getter that throws (past maxDepth, where it names the value)",
    make: () => deep(Object.defineProperty(new Thing(), "constructor", { get: fail("constructor") })),
    marker: true,
  },
  {
    name: "a constructor that is a 1 MB string (past maxDepth)",
    make: () => deep(Object.defineProperty(new Thing(), "constructor", { value: "c".repeat(1 << 20) })),
    marker: false,
  },
  {
    name: "a class whose name getter throws (past maxDepth)",
    make: () => {
      class Nameless {
        y = 2;
        static get name(): string {
          throw new Error("hostile name");
        }
      }
      return deep(new Nameless());
    },
    marker: true,
  },
  {
    name: "an error whose name, message and stack getters throw",
    make: () =>
      // stack first: redefining it makes V8 format the old one, which reads name and message.
      Object.defineProperties(Object.defineProperty(new Error("x"), "stack", { get: fail("stack") }), {
        name: { get: fail("name") },
        message: { get: fail("message") },
      }),
    marker: true,
  },
  {
    name: "an error whose cause, code and errors getters throw",
    make: () =>
      Object.defineProperties(new AggregateError([], "x"), {
        cause: { get: fail("cause") },
        code: { get: fail("code") },
        errors: { get: fail("errors") },
      }),
    marker: true,
    keeps: '"message":"x"',
  },
  {
    name: "an AggregateError of revoked Proxies",
    make: () => new AggregateError([revoked({})], "x"),
    marker: true,
  },
  {
    name: "an error whose cause is itself",
    make: () => {
      const error = new Error("me");
      error.cause = error;
      return error;
    },
    marker: false,
  },
  {
    name: "a null-prototype object",
    make: () => Object.assign(Object.create(null), { a: 1 }),
    marker: false,
    keeps: '"a":1',
  },
  {
    name: "a null-prototype error-like object",
    make: () => Object.assign(Object.create(null), { name: "E", message: "m" }),
    marker: false,
  },
  {
    name: "a Symbol.toStringTag that lies",
    make: () => [
      { [Symbol.toStringTag]: "Map", a: 1 },
      Object.defineProperty(new Map(), Symbol.toStringTag, { value: "Object" }),
    ],
    marker: false,
    keeps: '"$type":"Map"',
  },
  {
    name: "an object made from Map.prototype, not a Map",
    make: () => Object.create(Map.prototype),
    marker: false,
  },
  {
    // It inherits Date's toJSON, which throws on it (JSON.stringify would throw too).
    name: "an object made from Date.prototype, not a Date",
    make: () => Object.create(Date.prototype),
    marker: true,
  },
  {
    name: "a Map whose size, entries and iterator throw",
    make: () => {
      class Sneaky extends Map<number, number> {
        override get size(): number {
          throw new Error("hostile size");
        }
        override entries(): never {
          throw new Error("hostile entries");
        }
        override [Symbol.iterator](): never {
          throw new Error("hostile iterator");
        }
      }
      return new Sneaky([[1, 2]]);
    },
    marker: false,
    keeps: '"entries":[[1,2]]',
  },
  {
    name: "a Buffer whose constructor, length and toString throw",
    make: () =>
      Object.defineProperties(Buffer.from("hi"), {
        constructor: { get: fail("constructor") },
        length: { get: fail("length") },
        toString: { value: fail("toString") },
      }),
    marker: false,
    keeps: '"hex":"6869"',
  },
  { name: "an array-like with a huge length", make: () => ({ length: 2 ** 53, 0: "a" }), marker: false },
  {
    name: "a Proxy of an array that reports a length of 10^12",
    make: () => new Proxy([1], { get: (t, k) => (k === "length" ? 1e12 : Reflect.get(t, k)) }),
    marker: false,
  },
  {
    name: "frozen and sealed values",
    make: () =>
      Object.freeze({
        list: Object.freeze([1]),
        error: Object.seal(new Error("sealed")),
        map: Object.freeze(new Map([[1, 2]])),
      }),
    marker: false,
    keeps: '"message":"sealed"',
  },
];

function expectJsonSafe(value: unknown): string {
  const json = JSON.stringify(value) ?? "null";
  expect(JSON.parse(json)).toEqual(value ?? null);
  return json;
}

describe.each(rows)("$name", ({ make, marker, keeps }) => {
  it("sanitize() copies it, marking what it could not read", () => {
    const json = expectJsonSafe(sanitize(make()));
    expect(MARKER.test(json)).toBe(marker);
    if (keeps) expect(json).toContain(keeps);
  });

  it("sanitizeError() records it, marking what it could not read", () => {
    const out = sanitizeError(make());
    expect(typeof out.name).toBe("string");
    expect(typeof out.message).toBe("string");
    expect(MARKER.test(expectJsonSafe(out))).toBe(marker);
  });
});

const dir = mkdtempSync(join(tmpdir(), "runtrace-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const unhandled = collectUnhandledRejections();
afterEach(() => {
  rt.configure({ store: null });
});

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
const settle = (run: () => Promise<unknown>): Promise<Outcome> =>
  run().then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

/** Runs `work` in a session recorded by `store`; returns the outcome and the tree the store read back. */
async function recorded(store: rt.Store, work: () => Promise<unknown>) {
  rt.configure({ store });
  const session = new rt.Session({ name: "hostile" });
  const outcome = await settle(() => session.run(work));
  await rt.flush();
  return { outcome, tree: await store.readSession(session.id) };
}

const stores: Array<[string, () => rt.Store]> = [
  ["memory", () => rt.memoryStore()],
  ["JSONL", () => rt.jsonlStore({ dir })],
];

describe.each(stores)("through rt.call (%s store)", (_store, makeStore) => {
  describe.each(rows)("$name", ({ make, marker, keeps }) => {
    it("as an argument: the call runs, its input is recorded", async () => {
      const node = rt.functionNode((_value: unknown) => "done", { name: "takes" });
      const { outcome, tree } = await recorded(makeStore(), () => rt.call(node, make()));
      expect(outcome).toEqual({ ok: true, value: "done" });
      const record = tree.find("takes")!;
      expect(record.status).toBe("ok");
      const json = expectJsonSafe(record.input);
      expect(MARKER.test(json)).toBe(marker);
      if (keeps) expect(json).toContain(keeps);
      for (const r of tree) expect(r.status).not.toBe("running");
      expect(unhandled).toEqual([]);
    });

    it("as a result: the call settles as `await` would, the record ends, the slot is free", async () => {
      const value = make();
      const plain = await settle(async () => value);
      let runs = 0;
      const node = rt.functionNode(() => (runs++ === 0 ? value : "next"), { name: "gives", concurrency: 1 });
      const { outcome, tree } = await recorded(makeStore(), async () => {
        const first = await settle(() => rt.call(node));
        // With concurrency 1, the second call only runs once the first gave its slot back.
        expect(await rt.call(node)).toBe("next");
        return first;
      });
      expect(outcome.ok).toBe(true);
      const first = (outcome as { value: Outcome }).value;
      expect(first.ok).toBe(plain.ok);
      if (first.ok && plain.ok) expect(first.value).toBe(plain.value);
      const record = tree.findAll("gives")[0]!;
      expect(record.status).toBe(plain.ok ? "ok" : "error");
      if (plain.ok) expect(MARKER.test(expectJsonSafe(record.output))).toBe(marker);
      else expect(typeof record.error?.message).toBe("string");
      expect(tree.root.status).toBe("ok");
      for (const r of tree) expect(r.status).not.toBe("running");
      expect(unhandled).toEqual([]);
    });

    it("as a thrown error: the call rejects with it unchanged, the error is recorded", async () => {
      const value = make();
      const node = rt.functionNode(
        () => {
          throw value;
        },
        { name: "throws" },
      );
      const { outcome, tree } = await recorded(makeStore(), () => rt.call(node));
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error).toBe(value);
      const record = tree.find("throws")!;
      expect(record.status).toBe("error");
      expect(typeof record.error?.name).toBe("string");
      expect(MARKER.test(expectJsonSafe(record.error))).toBe(marker);
      expect(tree.root.status).toBe("error");
      for (const r of tree) expect(r.status).not.toBe("running");
      expect(unhandled).toEqual([]);
    });
  });
});

describe("attributes and event data", () => {
  it("hostile attributes are recorded as an object with the marker, never spread into characters", async () => {
    const store = rt.memoryStore();
    rt.configure({ store });
    const hostile = () => new Proxy({}, everyTrapThrows());
    const node = rt.functionNode(
      () => {
        rt.setAttributes(hostile());
        rt.event("hostile data", revoked({}));
        return 1;
      },
      { name: "attributed" },
    );
    const session = new rt.Session({ name: "attributes", attributes: hostile() as Record<string, unknown> });
    await session.run(() => rt.callWith({ attributes: { ok: 1 } }, node));
    for (const tree of [session.tree, await store.readSession(session.id)]) {
      expect(tree.root.attributes).toEqual({ "…": "[Thrown: hostile trap getPrototypeOf]" });
      const record = tree.find("attributed")!;
      expect(record.status).toBe("ok");
      expect(record.attributes).toEqual({ ok: 1, "…": "[Thrown: hostile trap getPrototypeOf]" });
      expect(record.events[0]!.data).toMatch(/^\[Thrown: .*revoked\]$/);
    }
  });

  it("an attribute named __proto__ is kept as data when it comes after others, never made the prototype", async () => {
    const store = rt.memoryStore();
    rt.configure({ store });
    const node = rt.functionNode(
      () => {
        rt.setAttributes({ first: 1 });
        rt.setAttributes(JSON.parse('{"__proto__": {"polluted": true}, "last": 2}'));
        return 1;
      },
      { name: "attributed" },
    );
    const session = new rt.Session({ name: "proto attributes" });
    await session.run(() => rt.call(node));
    for (const tree of [session.tree, await store.readSession(session.id)]) {
      const attributes = tree.find("attributed")!.attributes;
      expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
      expect((attributes as { polluted?: unknown }).polluted).toBeUndefined();
      expect(JSON.stringify(attributes)).toBe('{"first":1,"__proto__":{"polluted":true},"last":2}');
    }
  });
});
