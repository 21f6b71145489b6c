import { describe, expect, it } from "vitest";
import { RetryExhaustedError } from "../errors.js";
import { DEFAULT_LIMITS, DEFAULT_SANITIZE, type PayloadLimits, sanitize, sanitizeError } from "./sanitize.js";

const R = "[redacted]";
type Limits = Partial<PayloadLimits>;
const withLimits = (l: Limits) => ({ ...DEFAULT_SANITIZE, limits: { ...DEFAULT_LIMITS, ...l } });
const jsonSize = (value: unknown) => JSON.stringify(value).length;
const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value));
/** A getter or proxy trap that throws. */
const thrower = (message: string) => (): never => {
  throw new Error(message);
};
const many = <T>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i));
/** `{ child: { child: ... { leaf: true } } }`, `levels` objects deep. */
function nest(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < levels; i++) value = { child: value };
  return value;
}

describe("sanitize: values", () => {
  it("passes primitives through, and undefined as JSON does", () => {
    for (const value of ["hi", 42, true, null]) expect(sanitize(value)).toBe(value);
    expect(sanitize([1, "a", false, null])).toEqual([1, "a", false, null]);
    // undefined follows JSON: dropped from objects, null in arrays, kept at the top.
    expect(sanitize(undefined)).toBeUndefined();
    expect(sanitize([1, undefined])).toEqual([1, null]);
    expect(Object.keys(sanitize({ a: 1, b: undefined }) as object)).toEqual(["a"]);
    // biome-ignore lint/suspicious/noSparseArray: holes are what is tested
    expect(sanitize([1, , 3])).toEqual([1, null, 3]);
  });

  function namedFn() {}
  const bytes = new Uint8Array([1, 2, 3, 4]).buffer;
  it.each<[string, unknown, unknown]>([
    ["non-finite numbers", [Number.NaN, Infinity, -Infinity], ["NaN", "Infinity", "-Infinity"]],
    ["a bigint", 123n, "123n"],
    ["a named function", namedFn, "[Function namedFn]"],
    ["an anonymous function", [() => 1][0], "[Function (anonymous)]"],
    ["a class", class Foo {}, "[Function Foo]"],
    ["a symbol", Symbol("tag"), "Symbol(tag)"],
    ["a date", new Date("2024-01-02T03:04:05.678Z"), "2024-01-02T03:04:05.678Z"],
    ["an invalid date", new Date(Number.NaN), "Invalid Date"],
    ["a RegExp", /a+/g, "/a+/g"],
    ["a Promise", Promise.resolve(1), "[Promise]"],
    ["weak collections", [new WeakMap(), new WeakSet()], ["[WeakMap]", "[WeakSet]"]],
    ["boxed primitives", [new String("s"), new Number(2), new Boolean(false)], ["s", 2, false]],
    ["a Buffer", Buffer.from("hello"), { $type: "Buffer", bytes: 5, hex: "68656c6c6f" }],
    ["a big Buffer", Buffer.alloc(100, 0xab), { $type: "Buffer", bytes: 100, hex: "ab".repeat(32) }],
    [
      "a Float64Array",
      new Float64Array([-0, NaN]),
      { $type: "Float64Array", length: 2, preview: [0, "NaN"] },
    ],
    ["a BigInt64Array", new BigInt64Array([-5n]), { $type: "BigInt64Array", length: 1, preview: ["-5n"] }],
    ["an ArrayBuffer", bytes, { $type: "ArrayBuffer", length: 4, preview: [1, 2, 3, 4] }],
    ["a DataView", new DataView(bytes, 1, 2), { $type: "DataView", length: 2, preview: [2, 3] }],
  ])("records %s", (_, input, expected) => {
    expect(sanitize(input)).toEqual(expected);
  });

  it("keeps -0 as 0 and previews only the first 16 items of a typed array", () => {
    expect(Object.is(sanitize(-0), 0)).toBe(true);
    const u8 = sanitize(new Uint8Array(many(20, (i) => i)));
    expect(u8).toEqual({ $type: "Uint8Array", length: 20, preview: many(16, (i) => i) });
  });

  it("records errors inside values", () => {
    const error = Object.assign(new TypeError("outer", { cause: new RangeError("inner") }), { code: "E1" });
    const out = sanitize({ error }) as { error: Record<string, any> };
    expect(out.error).toMatchObject({ $type: "Error", name: "TypeError", message: "outer", code: "E1" });
    expect(out.error.stack).toContain("outer");
    expect(out.error.cause).toMatchObject({ $type: "Error", name: "RangeError", message: "inner" });
  });

  it("records Map and Set", () => {
    const out = sanitize({ m: new Map([[{ k: 1 }, [2]]]), s: new Set(["x", 1]) });
    expect(out).toEqual({
      m: { $type: "Map", size: 1, entries: [[{ k: 1 }, [2]]] },
      s: { $type: "Set", size: 2, values: ["x", 1] },
    });
  });

  it("uses toJSON, and survives one that throws", () => {
    expect(sanitize([new URL("https://example.com/a?b=1")])).toEqual(["https://example.com/a?b=1"]);
    expect(sanitize({ a: { toJSON: () => ({ b: 1n }) } })).toEqual({ a: { b: "1n" } });
    expect(sanitize({ toJSON: 5 })).toEqual({ toJSON: 5 });
    const selfish = { toJSON: (): unknown => selfish };
    expect(sanitize({ selfish })).toEqual({ selfish: "[Object]" });
    expect(sanitize({ b: { toJSON: thrower("nope") } })).toEqual({ b: "[Thrown: nope]" });
  });

  it("walks class instances by own enumerable keys and records throwing getters", () => {
    class Point {
      x = 1;
      y = 2;
    }
    Object.defineProperty(Point.prototype, "sum", { enumerable: true, get: () => 3 });
    expect(sanitize(new Point())).toEqual({ x: 1, y: 2 });
    const obj = Object.defineProperty({ ok: 1 }, "bad", { enumerable: true, get: thrower("getter failed") });
    expect(sanitize(obj)).toEqual({ ok: 1, bad: "[Thrown: getter failed]" });
  });

  it("marks cycles but copies repeated siblings", () => {
    const a: Record<string, unknown> = { name: "a" };
    Object.assign(a, { self: a, list: [a] });
    expect(sanitize(a)).toEqual({ name: "a", self: "[Circular]", list: ["[Circular]"] });
    const shared = { v: 1 };
    expect(sanitize([shared, shared, { shared }])).toEqual([{ v: 1 }, { v: 1 }, { shared: { v: 1 } }]);
    const map = new Map<string, unknown>();
    map.set("me", map);
    expect(sanitize(map)).toEqual({ $type: "Map", size: 1, entries: [["me", "[Circular]"]] });
  });

  it("redacts a long key holding a secret every time it comes back", () => {
    const key = "Bearer abcdefghijklmnopqrstuvwxyz0123";
    for (let i = 0; i < 3; i++) {
      expect(Object.keys(sanitize({ [key]: i, "a long plain key of words": i }) as object)).toEqual([
        `Bearer ${R}`,
        "a long plain key of words",
      ]);
    }
  });

  it("keeps a __proto__ key as data", () => {
    const out = sanitize(JSON.parse('{"__proto__": {"x": 1}, "y": 2}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":1},"y":2}');
  });

  it("is a snapshot", () => {
    const input = { list: [1, 2], nested: { s: "before" } };
    const out = sanitize(input);
    input.list.push(3);
    input.nested.s = "after";
    expect(out).toEqual({ list: [1, 2], nested: { s: "before" } });
  });

  it("survives a JSON round trip unchanged", () => {
    const error = Object.assign(new Error("boom", { cause: "why" }), { code: 7 });
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    const value = {
      s: "text",
      n: [1, -0, Number.NaN, Number.NEGATIVE_INFINITY, 10n],
      u: undefined,
      arr: [undefined, () => 0, Symbol("x")],
      date: new Date(0),
      re: /x/i,
      error,
      map: new Map([[1, new Set([2])]]),
      buf: Buffer.from([1, 2]),
      typed: new Int16Array([-1, 2]),
      promise: Promise.resolve(),
      url: new URL("https://example.com"),
      cyclic,
      apiKey: "sk-abcdefghijklmnopqrstuvwxyz",
      long: "x".repeat(9000),
      many: many(150, (i) => i),
      deep: nest(15),
    };
    const out = sanitize(value);
    expect(roundTrip(out)).toEqual(out);
  });

  it("never throws", () => {
    const hostile = new Proxy({}, { ownKeys: thrower("no keys") });
    expect(sanitize(hostile)).toBe("[Thrown: no keys]");
    // The marker takes the place of the one value that threw; the rest is kept.
    expect(sanitize({ ok: 1, nested: hostile })).toEqual({ ok: 1, nested: "[Thrown: no keys]" });
    expect(sanitize(Object.create(null))).toEqual({});
  });

  it("can be called from inside a walk (a getter that records)", () => {
    const recorded = () => sanitize([{ a: 1 }, "x"]);
    const outer = Object.defineProperty({ before: 1 }, "recorded", { enumerable: true, get: recorded });
    expect(sanitize(outer)).toEqual({ before: 1, recorded: [{ a: 1 }, "x"] });
  });
});

describe("sanitize: limits", () => {
  it("cuts long strings with a marker", () => {
    expect(sanitize("abcdefghij", withLimits({ maxStringLength: 4 }))).toBe("abcd…[+6 chars]");
    expect(sanitize("abcd", withLimits({ maxStringLength: 4 }))).toBe("abcd");
    const out = sanitize("x".repeat(10_000)) as string;
    expect(out).toBe(`${"x".repeat(8192)}…[+1808 chars]`);
    // Never half a surrogate pair.
    expect(sanitize("ab😀cd", withLimits({ maxStringLength: 3 }))).toBe("ab…[+4 chars]");
  });

  it("still redacts a secret that straddles the cut", () => {
    const s = `${"x".repeat(90)} sk-abcdefghijklmnopqrstuvwxyz0123`;
    const out = sanitize(s, withLimits({ maxStringLength: 100 })) as string;
    expect(out).not.toContain("sk-abc");
    expect(out).toContain(R.slice(0, 8));
  });

  it("cuts long arrays, Sets and Maps with a marker item", () => {
    const options = withLimits({ maxArrayLength: 3 });
    expect(sanitize([1, 2, 3, 4, 5], options)).toEqual([1, 2, 3, "[… 2 more items]"]);
    expect(sanitize([1, 2, 3], options)).toEqual([1, 2, 3]);
    expect(sanitize(new Set([1, 2, 3, 4]), options)).toMatchObject({ values: [1, 2, 3, "[… 1 more items]"] });
    const map = new Map(many(5, (i) => [i, i] as const));
    expect(sanitize(map, options)).toMatchObject({ entries: [[0, 0], [1, 1], [2, 2], "[… 2 more items]"] });
  });

  it("cuts objects with too many keys", () => {
    const out = sanitize({ a: 1, b: 2, c: 3, d: 4 }, withLimits({ maxArrayLength: 2 }));
    expect(out).toEqual({ a: 1, b: 2, "…": "[2 more keys]" });
  });

  it("describes values nested past maxDepth", () => {
    const options = withLimits({ maxDepth: 2 });
    expect(sanitize({ a: { b: { c: { d: 1 } } } }, options)).toEqual({ a: { b: { c: "[Object]" } } });
    expect(sanitize([[[[1, 2]]]], options)).toEqual([[["[Array(2)]"]]]);
    expect(sanitize({ a: { b: { m: new Map([[1, 2]]), s: new Set() } } }, options)).toEqual({
      a: { b: { m: "[Map(1)]", s: "[Set(0)]" } },
    });
    class Thing {}
    expect(sanitize([[[new Thing(), new Error("deep")]]], options)).toEqual([[["[Thing]", "[Error]"]]]);
    // Leaves are not containers: they are recorded at any depth.
    expect(sanitize([[[new Date(0)]]], options)).toEqual([[["1970-01-01T00:00:00.000Z"]]]);
  });

  it("stops at the byte budget with a marker", () => {
    const options = withLimits({ maxPayloadBytes: 1000 });
    const cut = "[cut: over 1000 bytes]";
    const out = sanitize(["a".repeat(995), "b", { c: 1 }, 3], options) as unknown[];
    expect(out).toEqual(["a".repeat(995), cut, cut, cut]);
    const obj = sanitize({ first: "a".repeat(995), second: 2, third: { x: 1 } }, options);
    // A string may take only what is left of the budget (the key "first" cost 13).
    expect(obj).toEqual({ first: `${"a".repeat(987)}…[+8 chars]`, second: cut, third: cut });
  });

  it("collapses the rest of a container once even markers overrun the budget", () => {
    const options = withLimits({ maxPayloadBytes: 100 });
    const out = sanitize(["a".repeat(95), 1, 2, 3, 4], options);
    const cut = "[cut: over 100 bytes";
    expect(out).toEqual(["a".repeat(95), `${cut}]`, `${cut}; 3 more items]`]);
    const obj = sanitize({ a: "a".repeat(95), b: 1, c: 2, d: 3 }, options);
    expect(obj).toEqual({ a: `${"a".repeat(91)}…[+4 chars]`, b: `${cut}]`, "…": `${cut}; 2 more keys]` });
  });

  it.each<[string, () => unknown]>([
    ["a 10 MB Buffer", () => Buffer.alloc(10 * 1024 * 1024)],
    ["a 1 MB string", () => "s".repeat(1024 * 1024)],
    ["a 1,000,000-item array", () => many(1_000_000, (i) => i)],
    ["1000 long strings", () => many(1000, () => "x".repeat(8192))],
    ["a 100,000-level nested object", () => nest(100_000)],
    ["wide nested arrays", () => many(100, () => many(100, () => "y".repeat(1000)))],
    ["an object of long values", () => Object.fromEntries(many(200, (i) => [`k${i}`, "v".repeat(5000)]))],
    ["an object of long keys", () => Object.fromEntries(many(200, (i) => [`${i}${"p".repeat(5000)}`, i]))],
  ])("keeps %s well under 2x the budget", (_, make) => {
    const out = sanitize(make());
    expect(jsonSize(out)).toBeLessThan(DEFAULT_LIMITS.maxPayloadBytes * 1.5);
    expect(roundTrip(out)).toEqual(out);
  });
});

describe("sanitizeError", () => {
  it("records name, message, stack, code and cause", () => {
    const root = new Error("disk full");
    const error = Object.assign(new TypeError("write failed", { cause: root }), { code: "EWRITE" });
    const out = sanitizeError(error);
    expect(out).toMatchObject({ name: "TypeError", message: "write failed", code: "EWRITE" });
    expect(out.stack).toMatch(/^TypeError: write failed/);
    expect(out.cause).toMatchObject({ $type: "Error", name: "Error", message: "disk full" });
    expect(out).not.toHaveProperty("$type");
  });

  it("records a numeric code as a string and a non-error cause as a value", () => {
    const error = Object.assign(new Error("x", { cause: { status: 429 } }), { code: 42 });
    expect(sanitizeError(error)).toMatchObject({ code: "42", cause: { status: 429 } });
  });

  it("redacts secrets in message and stack", () => {
    const out = sanitizeError(new Error("bad key sk-abcdefghijklmnopqrstuvwxyz0123"));
    expect(out.message).toBe(`bad key ${R}`);
    expect(out.stack).not.toContain("sk-abc");
  });

  it("handles cause cycles and long cause chains", () => {
    const a = new Error("a");
    a.cause = new Error("b", { cause: a });
    expect(sanitizeError(a).cause).toMatchObject({ message: "b", cause: "[Circular]" });
    let chain = new Error("0");
    for (let i = 1; i < 50; i++) chain = new Error(String(i), { cause: chain });
    const out = sanitizeError(chain);
    expect(jsonSize(out)).toBeLessThan(DEFAULT_LIMITS.maxPayloadBytes * 1.5);
    expect(JSON.stringify(out)).toContain('"[Error]"');
  });

  it("records an AggregateError's errors, each like a cause", () => {
    const aggregate = new AggregateError([new TypeError("a"), "plain", { status: 503 }], "several failed");
    const out = sanitizeError(aggregate);
    expect(out).toMatchObject({ name: "AggregateError", message: "several failed" });
    expect(out.errors).toEqual([
      expect.objectContaining({ $type: "Error", name: "TypeError", message: "a" }),
      "plain",
      { status: 503 },
    ]);
    expect((out.errors as Array<{ stack?: string }>)[0]!.stack).toMatch(/^TypeError: a/);
    // Inside a value too, and for any error that carries `errors` (a RetryExhaustedError, say).
    const retried = new RetryExhaustedError("fetch", [new Error("first"), new Error("second")]);
    const inValue = sanitize({ retried }) as { retried: { errors: unknown[]; cause: unknown } };
    expect(inValue.retried.errors).toEqual([
      expect.objectContaining({ message: "first" }),
      expect.objectContaining({ message: "second" }),
    ]);
    expect(inValue.retried.cause).toMatchObject({ message: "second" });
  });

  it("cuts an AggregateError's errors with a marker, and marks one that lists itself", () => {
    const many = new AggregateError(["a", "b", "c", "d", "e"], "five");
    expect(sanitizeError(many, withLimits({ maxArrayLength: 2 })).errors).toEqual([
      "a",
      "b",
      "[… 3 more items]",
    ]);
    const selfish = new AggregateError([], "me");
    selfish.errors.push(selfish, new Error("other"));
    expect(sanitizeError(selfish).errors).toEqual([
      "[Circular]",
      expect.objectContaining({ message: "other" }),
    ]);
  });

  it("bounds a cause chain that never ends (a getter making a new cause each time)", () => {
    let made = 0;
    class Endless extends Error {
      override get cause(): Error {
        made++;
        return new Endless(`level ${made}`);
      }
    }
    const out = sanitizeError(new Endless("top"));
    expect(made).toBeLessThanOrEqual(DEFAULT_LIMITS.maxDepth + 2);
    expect(JSON.stringify(out)).toContain('"cause":"[Error]"');
    const own = new Error("self");
    own.cause = own;
    expect(sanitizeError(own).cause).toBe("[Circular]");
  });

  it("records thrown non-errors", () => {
    expect(sanitizeError("just a string")).toEqual({ name: "NonError", message: "just a string" });
    expect(sanitizeError(42)).toEqual({ name: "NonError", message: "42" });
    expect(sanitizeError(undefined)).toEqual({ name: "NonError", message: "undefined" });
    expect(sanitizeError({ status: 500 })).toEqual({ name: "NonError", message: '{"status":500}' });
    const errorLike = { name: "ApiError", message: "nope", code: "E1" };
    expect(sanitizeError(errorLike)).toEqual(errorLike);
  });

  it("never throws", () => {
    const error = Object.defineProperty(new Error("x"), "message", { get: thrower("trap") });
    expect(sanitizeError(error).message).toBe("[Thrown: trap]");
    const hostile = new Proxy(new Error("y"), { get: thrower("trap"), has: thrower("trap") });
    expect(() => sanitizeError(hostile)).not.toThrow();
    expect(sanitizeError(hostile)).toMatchObject({ name: "[Thrown: trap]", message: "[Thrown: trap]" });
  });
});
