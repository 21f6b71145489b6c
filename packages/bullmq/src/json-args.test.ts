import { describe, expect, it } from "vitest";
import { addressOf } from "./connection.js";
import { isRemoteError, RemoteArgumentError } from "./errors.js";
import { checkArguments } from "./json-args.js";

function problemOf(args: unknown[]): string | undefined {
  try {
    checkArguments("summarize", args);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RemoteArgumentError);
    expect(isRemoteError(error)).toBe(true);
    return (error as Error).message;
  }
}

describe("arguments of a remote call", () => {
  it("lets plain data through: strings, numbers, booleans, null, arrays, plain objects, dates", () => {
    expect(
      problemOf(["text", 1, true, null, undefined, [1, [2]], { a: { b: "c" } }, new Date(0)]),
    ).toBeUndefined();
    expect(problemOf([Object.create(null)])).toBeUndefined();
  });

  it.each([
    { what: "a function", args: () => [() => 1], which: "argument 0", where: "args[0] is a function" },
    {
      what: "a bigint deep inside",
      args: () => ["x", { deep: [1, 10n] }],
      which: "argument 1",
      where: "args[1].deep[1] is a bigint (10n)",
    },
    { what: "a symbol", args: () => [Symbol("s")], which: "argument 0", where: "args[0] is a symbol" },
    {
      what: "NaN",
      args: () => [Number.NaN],
      which: "argument 0",
      where: "args[0] is NaN (JSON writes it as null)",
    },
    {
      what: "a Map",
      args: () => [new Map()],
      which: "argument 0",
      where: "args[0] is a Map (JSON keeps only plain objects and arrays)",
    },
    {
      what: "a class instance",
      args: () => [{ when: new (class Slot {})() }],
      which: "argument 0",
      where: "args[0].when is a Slot",
    },
  ])("refuses $what, naming where it is", ({ args, which, where }) => {
    const message = problemOf(args());
    expect(message).toContain(`Remote node "summarize": ${which} cannot be sent as JSON`);
    expect(message).toContain(where);
  });

  it("refuses a cycle", () => {
    const looped: Record<string, unknown> = {};
    looped.self = looped;
    expect(problemOf([looped])).toContain("args[0].self refers back to itself (a cycle)");
  });
});

describe("the address of a connection, for messages", () => {
  it("is host:port, from options, a URL, or defaults", () => {
    expect(addressOf({ host: "redis.internal", port: 6380 })).toBe("redis.internal:6380");
    expect(addressOf({})).toBe("127.0.0.1:6379");
    expect(addressOf({ url: "redis://cache:7000/2" })).toBe("cache:7000");
  });
});
