import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { jsonForScript, scriptForHtml, styleForHtml } from "./html.js";

describe("text put inside <script> and <style>", () => {
  it("JSON keeps its value but has no character that could end the element", () => {
    const value = { s: "</script><!-- & \u2028\u2029 >", n: [1, "<b>"] };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it("JavaScript keeps its meaning with </script and <!-- spelled \\x3C", () => {
    const js = 'const a = "</SCRIPT>", b = /<!--/, c = `</script`;';
    const safe = scriptForHtml(js);
    expect(safe).not.toMatch(/<\/script|<!--/i);
    const run = (code: string) =>
      runInNewContext(`(() => { ${code}; return [a, b.test("x<!--"), b.test("<!-"), c]; })()`);
    expect(run(safe)).toEqual(run(js));
  });

  it("CSS cannot close its <style>", () => {
    expect(styleForHtml('a::after{content:"</style>"}')).toBe('a::after{content:"<\\/style>"}');
  });
});
