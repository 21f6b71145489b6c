import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/timeout-exit.mjs", import.meta.url));

describe("a process using timeouts", () => {
  it("exits promptly after a node times out: no timer left behind", async () => {
    const started = performance.now();
    const child = spawn(process.execPath, [fixture], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    let err = "";
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    const elapsed = performance.now() - started;
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out.trim()).toBe("NodeTimeoutError");
    // The child would have slept 5 s; a prompt exit is far below that even on a loaded machine.
    expect(elapsed).toBeLessThan(3000);
  });
});
