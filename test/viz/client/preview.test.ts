import { describe, expect, test } from "vitest";
import { argsPreview, callPreview } from "../../../packages/viz/client/src/tree/preview.js";
import { flat } from "./fixtures.js";

describe("the arguments preview of a tree row", () => {
  test("shows the recorded arguments compactly, separated by commas", () => {
    expect(argsPreview(["cats and dogs", 3, true, null])).toBe('"cats and dogs", 3, true, null');
    expect(argsPreview([{ city: "Oslo", days: 3 }, ["a", "b"]])).toBe('{city: "Oslo", days: 3}, ["a", "b"]');
    expect(argsPreview([{ "user id": 1, 'a"b': 2 }])).toBe('{"user id": 1, "a\\"b": 2}');
    expect(argsPreview([[], {}])).toBe("[], {}");
  });

  test("is empty when nothing was recorded, and shows a single non-array input as itself", () => {
    expect(argsPreview(undefined)).toBe("");
    expect(argsPreview([])).toBe("");
    expect(argsPreview("Plan a day in Rome")).toBe('"Plan a day in Rome"');
    expect(argsPreview({ question: "why?" })).toBe('{question: "why?"}');
  });

  test("stays on one line and shows markup as the characters it is", () => {
    const preview = argsPreview(["line one\nline two", "<img src=x onerror=alert(1)>"]);
    expect(preview).toBe('"line one\\nline two", "<img src=x onerror=alert(1)>"');
    expect(preview).not.toContain("\n");
  });

  test("is cut at the limit with an ellipsis, and deep values are elided", () => {
    const long = argsPreview(["x".repeat(500), 2], 40);
    expect(long).toHaveLength(40);
    expect(long.endsWith("…")).toBe(true);
    expect(long.startsWith('"xxxx')).toBe(true);
    expect(argsPreview([{ a: { b: { c: { d: 1 } } } }])).toBe("{a: {b: {…}}}");
    // A huge array costs only what is shown.
    const many = argsPreview([Array.from({ length: 1_000_000 }, (_, i) => i)], 30);
    expect(many).toBe("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9…");
  });

  test("is computed once per version of a call", () => {
    const call = flat("1", "0", 1, { input: ["step", 1] });
    expect(callPreview(call)).toBe('"step", 1');
    expect(callPreview(call)).toBe(callPreview(call));
    expect(callPreview({ ...call, input: ["step", 2] })).toBe('"step", 2');
  });
});
