import { describe, expect, it } from "vitest";
import { displayEndpoint, excerpt, retryAfterMs } from "./http.js";
import { sseData } from "./sse.js";

describe("Retry-After", () => {
  it("reads seconds, an HTTP date and retry-after-ms", () => {
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(retryAfterMs(new Headers({ "retry-after": "1" }), now)).toBe(1000);
    expect(retryAfterMs(new Headers({ "retry-after": "0.5" }), now)).toBe(500);
    expect(retryAfterMs(new Headers({ "retry-after": "Wed, 21 Oct 2015 07:28:03 GMT" }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ "retry-after": "Wed, 21 Oct 2015 07:27:00 GMT" }), now)).toBe(0);
    expect(retryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});

describe("what errors show", () => {
  it("cuts the body to one short line and removes the key wherever it appears", () => {
    const key = "abc-secret-value-123";
    const shown = excerpt(`{\n  "error": "bad key ${key}",\n  "pad": "${"x".repeat(1000)}"\n}`, key);
    expect(shown).not.toContain(key);
    expect(shown).toContain("bad key [redacted]");
    expect(shown).not.toContain("\n");
    expect(shown.length).toBeLessThanOrEqual(301);
  });

  it("shows the endpoint without credentials or query", () => {
    expect(displayEndpoint("https://user:pw@example.com/v1/chat/completions?api-key=k")).toBe(
      "https://example.com/v1/chat/completions",
    );
  });
});

function bodyOf(pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
}

describe("server-sent events", () => {
  it("joins events split across chunks, CRLF and multi-line data, and skips comments", async () => {
    const body = bodyOf([
      ": keep-alive\r",
      '\n\r\ndata: {"a"',
      ":1}\r\n\r\ndata: x\ndata: y\n\nevent: e\ndata: [DONE]",
    ]);
    const seen: string[] = [];
    let chunks = 0;
    for await (const data of sseData(body, () => chunks++)) seen.push(data);
    expect(seen).toEqual(['{"a":1}', "x\ny", "[DONE]"]);
    expect(chunks).toBe(3);
  });
});
