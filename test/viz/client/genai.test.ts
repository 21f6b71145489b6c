import { describe, expect, test } from "vitest";
import { genAiLine, genAiSummary, spanKindOf } from "../../../packages/viz/client/src/tree/genai.js";
import { flat } from "./fixtures.js";

const usage = {
  "gen_ai.request.model": "gpt-4o",
  "gen_ai.usage.input_tokens": 1200,
  "gen_ai.usage.output_tokens": 45,
};

describe("the model and tokens of a model call", () => {
  test("are read the same from runtrace's own model call and from another instrumentation's span", () => {
    const own = genAiSummary(flat("1", "0", 0, { kind: "llm", attributes: usage }));
    const span = genAiSummary(
      flat("2", "0", 0, { kind: "span", attributes: { ...usage, "span.kind": "client" } }),
    );
    expect(own).toEqual({ model: "gpt-4o", inputTokens: 1200, outputTokens: 45 });
    expect(span).toEqual(own);
    expect(genAiLine(span!)).toBe("gpt-4o · 1,200 → 45 tokens");
  });

  test("take the response's model when the request's is unknown, and say what is missing", () => {
    const summary = genAiSummary(
      flat("1", "0", 0, {
        kind: "span",
        attributes: { "gen_ai.response.model": "m-2", "gen_ai.usage.input_tokens": 3 },
      }),
    )!;
    expect(genAiLine(summary)).toBe("m-2 · 3 → ? tokens");
    expect(
      genAiLine(
        genAiSummary(flat("1", "0", 0, { kind: "llm", attributes: { "gen_ai.request.model": "m" } }))!,
      ),
    ).toBe("m");
  });

  test("are nothing for other calls, for spans without GenAI attributes, and for odd values", () => {
    expect(genAiSummary(flat("1", "0", 0, { kind: "agent", attributes: usage }))).toBeUndefined();
    expect(
      genAiSummary(flat("1", "0", 0, { kind: "span", attributes: { "http.route": "/" } })),
    ).toBeUndefined();
    expect(
      genAiSummary(
        flat("1", "0", 0, {
          kind: "span",
          attributes: { "gen_ai.request.model": 3, "gen_ai.usage.input_tokens": "9" },
        }),
      ),
    ).toBeUndefined();
  });

  test("a span's OpenTelemetry kind is read from span.kind, internal when unsaid", () => {
    expect(spanKindOf(flat("1", "0", 0, { kind: "span", attributes: { "span.kind": "server" } }))).toBe(
      "server",
    );
    expect(spanKindOf(flat("1", "0", 0, { kind: "span" }))).toBe("internal");
    expect(spanKindOf(flat("1", "0", 0, { kind: "tool" }))).toBeUndefined();
  });
});
