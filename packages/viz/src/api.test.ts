import { InvalidOptionsError } from "@runtrace/core";
import { describe, expect, it } from "vitest";
import { startViewer } from "./api.js";

describe("startViewer's options", () => {
  it("rejects a misspelled option before listening, naming the closest known one", async () => {
    const error = await startViewer({ dir: ".runtrace", prot: 0 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toBe(
      "startViewer: unknown option `prot` (did you mean `port`?). Known options: dir, port, host, jaegerUrl, clientDir, create.",
    );
  });
});

describe("startViewer on a port in use", () => {
  it("says so, and keeps the system error as the cause so callers can fall back to another port", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "runtrace-port-"));
    const first = await startViewer({ dir, port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      const error = await startViewer({ dir, port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as Error).message).toMatch(new RegExp(`port ${port} on 127.0.0.1 is in use`));
      expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe("EADDRINUSE");
    } finally {
      await first.close();
    }
  });
});
