import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as rt from "../index.js";

rt.configure({ store: null });

describe("toolSchema() of integer parameters", () => {
  it("leaves out bounds that only restate the safe-integer range, and keeps the user's", () => {
    const pick = rt.functionNode(
      (count: number, offset: number, ids: number[], small: number) => count + offset + ids.length + small,
      {
        name: "pick",
        params: [
          ["count", z.number().int()],
          ["offset", z.number().int().min(0)],
          ["ids", z.array(z.int().max(99))],
          ["small", z.int32()],
        ],
      },
    );
    expect(pick.toolSchema().parameters).toEqual({
      type: "object",
      properties: {
        count: { type: "integer" },
        offset: { type: "integer", minimum: 0 },
        ids: { type: "array", items: { type: "integer", maximum: 99 } },
        small: { type: "integer", minimum: -2147483648, maximum: 2147483647 },
      },
      required: ["count", "offset", "ids", "small"],
      additionalProperties: false,
    });
  });

  it("does the same inside a single object parameter", () => {
    const page = rt.functionNode((input: { page: number; size?: number }) => input.page, {
      name: "page",
      params: z.object({ page: z.number().int().positive(), size: z.number().int().optional() }),
    });
    const text = JSON.stringify(page.toolSchema());
    expect(text).not.toContain(String(Number.MAX_SAFE_INTEGER));
    expect(text).not.toContain(String(Number.MIN_SAFE_INTEGER));
    expect(page.toolSchema().parameters.properties).toEqual({
      page: { type: "integer", exclusiveMinimum: 0 },
      size: { type: "integer" },
    });
  });
});

describe("an agent's `output` schema", () => {
  it("is shown to the model without the safe-integer bounds", async () => {
    const model = rt.scriptedModel(['{"count":3,"page":1}']);
    const agent = rt.agentNode({
      name: "counter",
      model,
      tools: [],
      output: z.object({ count: z.number().int(), page: z.number().int().min(1) }),
    });
    expect(await rt.session("count", () => agent("How many?"))).toEqual({ count: 3, page: 1 });
    const system = String(model.requests[0]!.messages[0]!.content);
    expect(system).toContain('"count":{"type":"integer"}');
    expect(system).toContain('"page":{"type":"integer","minimum":1}');
    expect(system).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });
});
