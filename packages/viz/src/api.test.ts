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
