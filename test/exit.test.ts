import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runScript } from "./helpers/run-script.js";

const fixture = fileURLToPath(new URL("./fixtures/timeout-exit.mjs", import.meta.url));

describe("a process using timeouts", () => {
  it("exits promptly after a node times out: no timer left behind", async () => {
    const { code, out, err, elapsedMs: elapsed } = await runScript(fixture);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out.trim()).toBe("NodeTimeoutError");
    // The child would have slept 5 s; a prompt exit is far below that even on a loaded machine.
    expect(elapsed).toBeLessThan(3000);
  });
});
