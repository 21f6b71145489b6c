/**
 * What recording one argument costs per call, for everyday values and for values far bigger than
 * what a record keeps (a million keys, a sparse array of ten million slots, a 100 MB string). The
 * record keeps at most 100 items and 64 KB, so the cost of a call should follow what is kept, not
 * the size of the value.
 */
import * as rt from "@runtrace/core";
import { type BenchResult, median, nsPerOp, type Row } from "./lib.js";

/** Samples per row; the rows that take a second a call before the bounded walk get fewer. */
const SAMPLES = 7;
const FEW = 3;

async function echo(value: unknown): Promise<number> {
  return typeof value === "object" ? 1 : 0;
}

const node = rt.functionNode(echo, { name: "echo" });

function millionKeys(): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < 1_000_000; i++) out[`k${i}`] = i;
  return out;
}

/** A Proxy whose traps only forward, as reactive-state libraries make. */
function passThrough<T extends object>(target: T): T {
  return new Proxy(target, {
    get: (t, key, receiver) => Reflect.get(t, key, receiver),
    getOwnPropertyDescriptor: (t, key) => Reflect.getOwnPropertyDescriptor(t, key),
    ownKeys: (t) => Reflect.ownKeys(t),
  });
}

interface Case {
  name: string;
  /** The value passed, made once per sample (a fresh value) or once for the row (the same value). */
  value: () => unknown;
  fresh?: boolean;
  calls: number;
  samples: number;
}

function cases(): Case[] {
  const big = millionKeys();
  const sparse: unknown[] = [];
  sparse.length = 10_000_000;
  sparse[9_999_999] = "last";
  const map = new Map(Array.from({ length: 1_000_000 }, (_, i) => [i, i]));
  const proxy = passThrough(big);
  const text = "x".repeat(100 * 1024 * 1024);
  const small = { id: 7, text: "hello world, a short prompt", tags: [1, 2, 3] };
  const hundred = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`key${i}`, i]));
  return [
    { name: "small object ({ id, text, tags[3] })", value: () => small, calls: 20_000, samples: SAMPLES },
    { name: "object of 100 keys", value: () => hundred, calls: 2_000, samples: SAMPLES },
    { name: "object of 1,000,000 keys, a new one", value: millionKeys, fresh: true, calls: 1, samples: FEW },
    { name: "object of 1,000,000 keys, the same one again", value: () => big, calls: 1, samples: FEW },
    { name: "pass-through Proxy over that object", value: () => proxy, calls: 1, samples: FEW },
    { name: "sparse array, length 10,000,000", value: () => sparse, calls: 2_000, samples: SAMPLES },
    { name: "Map of 1,000,000 entries", value: () => map, calls: 2_000, samples: SAMPLES },
    { name: "100 MB string", value: () => text, calls: 2_000, samples: SAMPLES },
  ];
}

export default async function bench(): Promise<BenchResult> {
  rt.configure({ store: rt.memoryStore(), record: true });
  const rows: Row[] = [];
  for (const { name, value, fresh, calls, samples } of cases()) {
    const list: number[] = [];
    let same = fresh ? undefined : value();
    // The first sample warms up and is left out.
    for (let i = 0; i <= samples; i++) {
      const arg = same ?? value();
      const ns = await rt.session("payload", () => nsPerOp(calls, () => rt.call(node, arg)));
      if (i > 0) list.push(ns);
    }
    same = undefined;
    rows.push({ name: `rt.call(node, ${name})`, value: median(list) / 1000, unit: "µs/call" });
  }
  rt.configure({ store: null, record: true });
  return {
    title: "payload: recording one argument, per call (memory store)",
    rows,
    notes: [
      `${SAMPLES} samples per row (${FEW} for the rows of a million keys) after one left out, median.`,
      "Each row passes the same value on every call, but for the one that makes a new object per sample.",
    ],
  };
}
