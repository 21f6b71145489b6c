import { afterEach, describe, expect, it } from "vitest";
import * as rt from "../index.js";
import { logger, resetWarnings, warnOnce } from "./logger.js";

const messages: string[] = [];

afterEach(() => {
  messages.length = 0;
  resetWarnings();
  rt.configure({ redact: true });
});

describe("runtrace's own messages", () => {
  it("go to the configured logger with credentials and secret query parameters redacted", () => {
    rt.configure({ logger: { warn: (m) => messages.push(m), error: (m) => messages.push(`E ${m}`) } });
    warnOnce(
      "k",
      "exporting to https://user:LOGMARKER1@otlp.example.com/v1/traces?api-key=LOGMARKER2 failed",
    );
    logger().error("request failed: Authorization: Bearer LOGMARKER3abcdefghijkl");
    expect(messages).toEqual([
      "exporting to https://user:[redacted]@otlp.example.com/v1/traces?api-key=[redacted] failed",
      "E request failed: Authorization: Bearer [redacted]",
    ]);
  });

  it("are redacted even when recorded values are not", () => {
    rt.configure({
      redact: false,
      logger: { warn: (m) => messages.push(m), error: (m) => messages.push(m) },
    });
    logger().warn("endpoint http://u:LOGMARKER4@localhost:4318/v1/traces is down");
    expect(messages.join("\n")).not.toContain("LOGMARKER4");
  });
});
