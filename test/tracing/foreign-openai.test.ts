// The official openai SDK instrumented by OpenTelemetry's openai instrumentation, in a real
// process (ESM modules are patched through the loader hook only a process can install): its chat
// spans, with their token usage, are recorded under the runtrace calls that made the requests.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as rt from "@runtrace/core";
import { afterAll, expect, it } from "vitest";
import { completion, startServer, type TestServer } from "../llm/server.js";
import { startOtlpReceiver } from "../otlp-receiver/receiver.js";

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "runtrace-openai-spans-"));
let server: TestServer | undefined;

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("records each instrumented chat span, with its usage, under the call that made it", async () => {
  server = await startServer([
    (request) => ({
      json: completion({
        text: `answer to ${request.body.messages[0].content}`,
        usage: { input: 11, output: 3 },
      }),
    }),
    (request) => ({
      json: completion({
        text: `answer to ${request.body.messages[0].content}`,
        usage: { input: 12, output: 4 },
      }),
    }),
  ]);
  const receiver = await startOtlpReceiver();
  try {
    const { stdout } = await run(
      process.execPath,
      ["--import", fixture("register-openai-instrumentation.mjs"), fixture("openai-app.mjs")],
      {
        env: {
          ...process.env,
          OTLP_ENDPOINT: receiver.url,
          RUNTRACE_DIR: dir,
          OPENAI_BASE_URL: server.baseURL,
        },
      },
    );
    const { session, answers } = JSON.parse(stdout) as { session: string; answers: string[] };
    expect(answers).toEqual(["answer to first?", "answer to second?"]);

    const tree = await rt.readSession(session, { dir });
    const asks = [...tree].filter((record) => record.node === "ask");
    expect(asks).toHaveLength(2);
    const usage = new Map<string, unknown>();
    for (const ask of asks) {
      expect(ask.children).toHaveLength(1);
      const chat = ask.children[0]!;
      expect(chat).toMatchObject({ kind: "span", node: "chat gpt-test", status: "ok" });
      expect(chat.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-test",
        "span.kind": "client",
      });
      usage.set((ask.input as string[])[0]!, [
        chat.attributes["gen_ai.usage.input_tokens"],
        chat.attributes["gen_ai.usage.output_tokens"],
      ]);
    }
    // Requests ran in parallel: each span is under the call that sent its question.
    const byQuestion = new Map(
      server.requests.map((r, i) => [r.body.messages[0].content, i === 0 ? [11, 3] : [12, 4]]),
    );
    expect(usage).toEqual(byQuestion);
    // The same spans went to the OTLP backend, parented on the runtrace calls' spans.
    const spans = await receiver.waitForSpans(5);
    const chatSpans = spans.filter((span) => span.name === "chat gpt-test");
    expect(chatSpans.map((span) => span.parentSpanId).sort()).toEqual(asks.map((ask) => ask.spanId).sort());
    // The API key is nowhere in the stored session.
    expect(JSON.stringify([...tree])).not.toContain("sk-test-not-a-real-key");
  } finally {
    await receiver.close();
  }
}, 60_000);
