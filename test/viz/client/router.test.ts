import { describe, expect, test } from "vitest";
import { jaegerLink } from "../../../packages/viz/client/src/links.js";
import { href, parseHash, parsePath } from "../../../packages/viz/client/src/router.js";

describe("routes", () => {
  test("served paths", () => {
    expect(parsePath("/")).toEqual({ page: "sessions" });
    expect(parsePath("/s/abc")).toEqual({ page: "session", sessionId: "abc", callId: undefined });
    expect(parsePath("/s/abc/")).toEqual({ page: "session", sessionId: "abc", callId: undefined });
    expect(parsePath("/s/abc/c/12")).toEqual({ page: "session", sessionId: "abc", callId: "12" });
    expect(parsePath("/s/a%20b/c/x%2Fy")).toEqual({ page: "session", sessionId: "a b", callId: "x/y" });
    expect(parsePath("/s/abc/x/12").page).toBe("missing");
    expect(parsePath("/s/%E0%A4%A").page).toBe("missing");
  });

  test("hashes of an exported file", () => {
    expect(parseHash("", "s1")).toEqual({ page: "session", sessionId: "s1", callId: undefined });
    expect(parseHash("#/", "s1")).toEqual({ page: "session", sessionId: "s1", callId: undefined });
    expect(parseHash("#/c/7", "s1")).toEqual({ page: "session", sessionId: "s1", callId: "7" });
  });

  test("hrefs round-trip and always stay inside the app", () => {
    const route = { page: "session" as const, sessionId: "javascript:alert(1)", callId: "<img>" };
    const served = href("served", route);
    expect(served).toBe("/s/javascript%3Aalert(1)/c/%3Cimg%3E");
    expect(parsePath(served)).toEqual(route);
    expect(href("inline", route)).toBe("#/c/%3Cimg%3E");
    expect(parseHash(href("inline", route), route.sessionId)).toEqual(route);
    expect(href("served", { page: "sessions" })).toBe("/");
  });
});

describe("Jaeger link", () => {
  const trace = "0af7651916cd43dd8448eb211c80319c";

  test("built from an http(s) base URL and a hex trace id", () => {
    expect(jaegerLink("http://localhost:16686", trace)).toBe(`http://localhost:16686/trace/${trace}`);
    expect(jaegerLink("https://jaeger.example.com/ui/", trace)).toBe(
      `https://jaeger.example.com/ui/trace/${trace}`,
    );
    expect(jaegerLink("http://localhost:16686", "b7ad6b7169203331")).toBe(
      "http://localhost:16686/trace/b7ad6b7169203331",
    );
  });

  test("none for anything else", () => {
    expect(jaegerLink(null, trace)).toBeUndefined();
    expect(jaegerLink("javascript:alert(1)//", trace)).toBeUndefined();
    expect(jaegerLink("data:text/html,hi", trace)).toBeUndefined();
    expect(jaegerLink("not a url", trace)).toBeUndefined();
    expect(jaegerLink("http://user:pw@host", trace)).toBeUndefined();
    expect(jaegerLink("http://localhost:16686", "javascript:alert(1)")).toBeUndefined();
    expect(jaegerLink("http://localhost:16686", `${trace}/../x`)).toBeUndefined();
    expect(jaegerLink("http://localhost:16686", "0AF7651916CD43DD")).toBeUndefined();
    expect(jaegerLink("http://localhost:16686", "abc")).toBeUndefined();
    expect(jaegerLink("http://localhost:16686", undefined)).toBeUndefined();
  });
});
