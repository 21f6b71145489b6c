/** Small FlatCall builders for the client's unit tests. */
import type { FlatCall } from "../../../packages/viz/src/shared/types.js";

export function flat(
  id: string,
  parentId: string | null,
  start: number,
  more: Partial<FlatCall> = {},
): FlatCall {
  return {
    id,
    parentId,
    sessionId: "s",
    node: `node-${id}`,
    kind: parentId === null ? "session" : "function",
    status: "ok",
    start,
    end: start + 10,
    input: undefined,
    output: undefined,
    error: undefined,
    attempts: 1,
    events: [],
    attributes: {},
    traceId: undefined,
    spanId: undefined,
    depth: 0,
    childCount: 0,
    ...more,
  };
}

/**
 * root 0 ─┬─ 1 ─┬─ 2
 *         │     └─ 3 (error)
 *         └─ 4 ─── 5
 */
export function sample(): FlatCall[] {
  return [
    flat("0", null, 0, { end: 100, node: "session" }),
    flat("1", "0", 1, { end: 50, node: "plan" }),
    flat("2", "1", 2, { end: 20, node: "search", input: ["cats and dogs"] }),
    flat("3", "1", 21, {
      end: 49,
      node: "fetch",
      status: "error",
      error: { name: "Error", message: "ECONNRESET" },
    }),
    flat("4", "0", 51, { end: 99, node: "write", output: { text: "Hello World" } }),
    flat("5", "4", 52, { end: 98, node: "model" }),
  ];
}
