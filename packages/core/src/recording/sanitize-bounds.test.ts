import { Buffer } from "node:buffer";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Redactor } from "./redact.js";
import { DEFAULT_SANITIZE, sanitize, sanitizeError } from "./sanitize.js";

/*
 * A record keeps at most 100 items and about 64 KB of a value; recording a value must cost what is
 * kept, not what the value holds. Nothing here times anything: each test counts the work done on the
 * value (Proxy traps run, getters read, keys listed, characters handed to the redactor).
 */

type Counts = Record<"ownKeys" | "getOwnPropertyDescriptor" | "get" | "has", number>;

/** A Proxy over `target` that counts the traps it runs and otherwise changes nothing. */
function counted<T extends object>(target: T): { proxy: T; counts: Counts } {
  const counts: Counts = { ownKeys: 0, getOwnPropertyDescriptor: 0, get: 0, has: 0 };
  const handler: Record<string, (...args: any[]) => unknown> = {};
  for (const trap of Object.keys(counts) as Array<keyof Counts>) {
    handler[trap] = (...args: any[]) => {
      counts[trap]++;
      return (Reflect[trap] as (...a: any[]) => unknown)(...args);
    };
  }
  const proxy = new Proxy(target, handler);
  return { proxy, counts };
}

/** The redactor in use, remembering the longest string and key it was asked about. */
class Measuring extends Redactor {
  longestString = 0;
  longestKey = 0;
  override redactString(s: string): string {
    this.longestString = Math.max(this.longestString, s.length);
    return super.redactString(s);
  }
  override isSecretKey(key: string): boolean {
    this.longestKey = Math.max(this.longestKey, key.length);
    return super.isSecretKey(key);
  }
}

const MILLION = 1_000_000;
const firstKeys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

describe("recording a value costs what is kept", () => {
  let big: Record<string, number>;
  beforeAll(() => {
    big = {};
    for (let i = 0; i < MILLION; i++) big[`k${i}`] = i;
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("cuts an object of 1,000,000 keys to 100, and lists its keys once however often it is recorded", () => {
    const listing = vi.spyOn(Object, "keys");
    const first = sanitize(big) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual([...firstKeys(100), "…"]);
    expect(first.k99).toBe(99);
    expect(first["…"]).toBe("[999900 more keys]");
    for (let i = 0; i < 20; i++) expect(sanitize(big)).toEqual(first);
    const listed = listing.mock.calls.filter(([value]) => value === big).length;
    expect(listed).toBe(1);
  });

  it("sees a big object change: a key of the listing removed, or the same keys with new values", () => {
    const obj: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) obj[`k${i}`] = i;
    expect((sanitize(obj) as Record<string, unknown>)["…"]).toBe("[4900 more keys]");
    obj.k3 = -3;
    expect(sanitize(obj)).toMatchObject({ k3: -3 });
    delete obj.k0;
    const after = sanitize(obj) as Record<string, unknown>;
    expect(Object.keys(after).slice(0, 2)).toEqual(["k1", "k2"]);
    expect(after.k100).toBe(100);
    expect(after["…"]).toBe("[4899 more keys]");
  });

  it("asks a Proxy of 100,000 keys about the keys it keeps only", () => {
    // 100,000 rather than a million: V8 takes seconds to check a long answer of an ownKeys trap.
    const target: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) target[`k${i}`] = i;
    const { proxy, counts } = counted(target);
    const out = sanitize(proxy) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual([...firstKeys(100), "…"]);
    expect(out["…"]).toBe("[more keys]");
    // One answer to ownKeys (the Proxy's own list), then one question per key kept.
    expect(counts.ownKeys).toBe(1);
    expect(counts.getOwnPropertyDescriptor).toBeLessThanOrEqual(101);
    expect(counts.get).toBeLessThanOrEqual(110);
    // Recorded again, it is not asked for its whole list again.
    const before = { ...counts };
    expect(sanitize(proxy)).toEqual(out);
    expect(counts.ownKeys).toBe(before.ownKeys);
    expect(counts.getOwnPropertyDescriptor - before.getOwnPropertyDescriptor).toBeLessThanOrEqual(201);
  });

  it("reads 100 slots of a sparse array of length 10,000,000", () => {
    const sparse: unknown[] = [];
    sparse.length = 10_000_000;
    sparse[5] = "five";
    sparse[9_999_999] = "last";
    const { proxy, counts } = counted(sparse);
    const out = sanitize(proxy) as unknown[];
    expect(out).toHaveLength(101);
    expect(out[5]).toBe("five");
    expect(out[6]).toBeNull();
    expect(out[100]).toBe("[… 9999900 more items]");
    expect(counts.get).toBeLessThanOrEqual(105);
    expect(counts.ownKeys).toBe(0);
  });

  it("takes an array-like Proxy's length only when it is a whole number", () => {
    const lying = (length: unknown) =>
      new Proxy([1, 2, 3], { get: (t, k) => (k === "length" ? length : Reflect.get(t, k)) });
    expect(sanitize(lying(2 ** 40))).toHaveLength(101);
    expect((sanitize(lying(2 ** 40)) as unknown[])[100]).toBe(`[… ${2 ** 40 - 100} more items]`);
    for (const junk of [-5, Number.NaN, Number.POSITIVE_INFINITY, 1.5, "12", { valueOf: () => 9 }]) {
      expect(sanitize(lying(junk))).toEqual([]);
    }
  });

  it("walks 100 entries of a Map of 1,000,000 and 100 values of a Set of 1,000,000", () => {
    let reads = 0;
    const watched = {
      get v() {
        reads++;
        return 1;
      },
    };
    const map = new Map<number, unknown>();
    for (let i = 0; i < MILLION; i++) map.set(i, watched);
    const out = sanitize(map) as { size: number; entries: unknown[] };
    expect(out.size).toBe(MILLION);
    expect(out.entries).toHaveLength(101);
    expect(out.entries[0]).toEqual([0, { v: 1 }]);
    expect(out.entries[100]).toBe("[… 999900 more items]");
    expect(reads).toBe(100);
    const set = new Set<number>();
    for (let i = 0; i < MILLION; i++) set.add(i);
    expect((sanitize(set) as { values: unknown[] }).values[100]).toBe("[… 999900 more items]");
  });

  it("hands the redactor the head of a 100 MB string, and of a 10 MB key", () => {
    const redactor = new Measuring(true);
    const options = { ...DEFAULT_SANITIZE, redactor };
    const huge = "x".repeat(100 * 1024 * 1024);
    const out = sanitize({ text: huge }, options) as { text: string };
    expect(out.text.endsWith(`…[+${huge.length - 8192} chars]`)).toBe(true);
    const key = `${"k".repeat(10 * 1024 * 1024)}_password`;
    const keyed = sanitize({ [key]: "hunter2" }, options) as Record<string, unknown>;
    // A key that long is cut like any string; its value is still redacted by the key's end.
    expect(Object.values(keyed)).toEqual(["[redacted]"]);
    expect(Object.keys(keyed)[0]).toMatch(/^k{8192}…\[\+\d+ chars\]$/);
    expect(redactor.longestString).toBeLessThanOrEqual(8192 + 256);
    expect(redactor.longestKey).toBeLessThanOrEqual(256);
  });

  it("previews binary data of any size", () => {
    const buffer = Buffer.alloc(100 * 1024 * 1024, 0xab);
    expect(sanitize(buffer)).toEqual({ $type: "Buffer", bytes: buffer.length, hex: "ab".repeat(32) });
    const floats = new Float64Array(10_000_000);
    expect(sanitize(floats)).toEqual({
      $type: "Float64Array",
      length: 10_000_000,
      preview: Array(16).fill(0),
    });
  });

  it("keeps 100 errors of an AggregateError of 100,000, then the budget cuts", () => {
    const errors = Array.from({ length: 100_000 }, (_, i) => new Error(`failure ${i}`));
    const out = sanitizeError(new AggregateError(errors, "all failed"));
    const kept = out.errors as unknown[];
    expect(kept.length).toBeLessThanOrEqual(101);
    expect(kept[0]).toMatchObject({ $type: "Error", message: "failure 0" });
    expect(String(kept[kept.length - 1])).toMatch(/more items\]$/);
    expect(JSON.stringify(out).length).toBeLessThan(1.5 * 65536);
  });
});
