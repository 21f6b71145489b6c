import { InvalidOptionsError } from "@runtrace/core";
import { describe, expect, it } from "vitest";
import { startViewer } from "./api.js";

describe("startViewer's options", () => {
  it("rejects a misspelled option before listening, naming the closest known one", async () => {
    const error = await startViewer({ dir: ".runtrace", prot: 0 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toBe(
      "startViewer: unknown option `prot` (did you mean `port`?). Known options: dir, port, host, jaegerUrl, clientDir, create, otlp.",
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

describe("startViewer's otlp option", () => {
  it("checks its options, and says when the OTLP port is taken without leaving the viewer running", async () => {
    const { mkdtempSync, existsSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = join(mkdtempSync(join(tmpdir(), "runtrace-otlp-")), "made");
    const bad = await startViewer({ dir, port: 0, otlp: { prot: 1 } as never }).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(
      /startViewer `otlp`: unknown option `prot` \(did you mean `port`\?\)/,
    );
    const range = await startViewer({ dir, port: 0, otlp: { orphanWaitMs: -1 } }).catch((e: unknown) => e);
    expect((range as Error).message).toMatch(
      /`otlp.orphanWaitMs` to be an integer from 0 to 3600000, got -1/,
    );
    const first = await startViewer({ dir, port: 0, otlp: { port: 0 } });
    try {
      // The directory received traces go to is made.
      expect(existsSync(dir)).toBe(true);
      expect(first.otlpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(new URL(first.otlpUrl!).port);
      const taken = await startViewer({ dir, port: 0, otlp: { port } }).catch((e: unknown) => e);
      expect(taken).toBeInstanceOf(InvalidOptionsError);
      expect((taken as Error).message).toMatch(new RegExp(`OTLP port ${port} on 127.0.0.1 is in use`));
      const plain = await startViewer({ dir, port: 0 });
      expect(plain.otlpUrl).toBeUndefined();
      await plain.close();
    } finally {
      await first.close();
    }
  });
});
