import { describe, expect, test } from "vitest";
import { ranIn } from "../../../packages/viz/client/src/tree/ran-in.js";
import { flat } from "./fixtures.js";

describe("where a call ran, in the details panel", () => {
  test("names the worker thread of a worker node's call", () => {
    const call = flat("1", "0", 0, {
      attributes: { "runtrace.worker.thread": 3, "process.pid": 4242, "host.name": "box" },
    });
    expect(ranIn(call)).toBe("thread 3");
  });

  test("names the host and pid of a call that ran in another process's worker", () => {
    const attributes = { "runtrace.remote.host": "host-a", "runtrace.remote.pid": 1234 };
    expect(ranIn(flat("1", "0", 0, { attributes }))).toBe("worker host-a pid 1234");
    expect(ranIn(flat("1", "0", 0, { attributes: { "runtrace.remote.host": "host-a" } }))).toBe(
      "worker host-a",
    );
  });

  test("says nothing of a call that ran where its caller did", () => {
    expect(ranIn(flat("1", "0", 0, { attributes: { "process.pid": 1 } }))).toBeUndefined();
    expect(ranIn(flat("1", "0", 0))).toBeUndefined();
  });
});
