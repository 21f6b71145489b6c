import { describe, expect, it } from "vitest";
import { storedRecord } from "../recording/record.js";
import { callLine, endLine } from "./lines.js";

describe("callLine", () => {
  it("writes the same JSON as JSON.stringify would, for running and ended calls", () => {
    const record = storedRecord("12", "3", "s", 'tool "quoted" \\ name', "tool", 1795369671144.6575, [
      "a",
      { b: [1, 2] },
    ]);
    record.attempts = 2;
    record.waitMs = 1.5;
    record.events = [{ name: "retry", time: 1795369671145.1, data: { attempt: 1 } }];
    record.attributes = { "gen_ai.tool.name": "x" };
    expect(JSON.parse(callLine(record))).toEqual({
      type: "start",
      id: "12",
      parent: "3",
      node: 'tool "quoted" \\ name',
      kind: "tool",
      start: 1795369671144.6575,
      input: ["a", { b: [1, 2] }],
      attempts: 2,
      waitMs: 1.5,
      events: [{ name: "retry", time: 1795369671145.1, data: { attempt: 1 } }],
      attributes: { "gen_ai.tool.name": "x" },
    });
    record.end = 1795369671150.25;
    record.status = "error";
    record.error = { name: "Error", message: 'bad "thing"' };
    expect(JSON.parse(callLine(record))).toMatchObject({
      type: "call",
      status: "error",
      end: 1795369671150.25,
      error: { name: "Error", message: 'bad "thing"' },
    });
    const empty = storedRecord("1", "0", "s", "n", "function", 1, []);
    empty.end = 2;
    empty.status = "ok";
    empty.output = null;
    expect(JSON.parse(callLine(empty))).toEqual({
      type: "call",
      id: "1",
      parent: "0",
      node: "n",
      kind: "function",
      start: 1,
      input: [],
      status: "ok",
      end: 2,
      output: null,
    });
  });

  it("writes an end line with the keys of EndLine, as JSON.stringify would", () => {
    const record = storedRecord("7", "0", "s", "n", "function", 1795369671144.5, []);
    record.end = 1795369671150.125;
    record.status = "ok";
    record.attempts = 3;
    record.waitMs = 0.25;
    record.output = { text: 'say "hi"' };
    const expected = {
      type: "end",
      id: "7",
      status: "ok",
      end: 1795369671150.125,
      attempts: 3,
      waitMs: 0.25,
      output: { text: 'say "hi"' },
    };
    expect(endLine(record)).toBe(JSON.stringify(expected));
    record.status = "error";
    record.output = undefined;
    record.error = { name: "TypeError", message: "no" };
    expect(JSON.parse(endLine(record))).toEqual({
      ...expected,
      status: "error",
      output: undefined,
      error: { name: "TypeError", message: "no" },
    });
  });
});
