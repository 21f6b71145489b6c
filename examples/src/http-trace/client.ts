/**
 * Two processes, one trace. This client starts ./server.js as a CHILD PROCESS on an ephemeral
 * 127.0.0.1 port, then calls it once per word from inside a node, passing its span along with
 * `rt.inject(headers)`. In Jaeger the trace shows both services: the server's `POST /shout` sessions
 * hang under the client's `execute_tool shoutRemote` spans.
 *
 *   docker run --rm -p 16686:16686 -p 4318:4318 jaegertracing/jaeger:latest
 *   node examples/dist/http-trace/client.js      # spans go to OTEL_EXPORTER_OTLP_ENDPOINT or :4318
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import * as rt from "@runtrace/core";
import { setupTracing } from "@runtrace/core/otel";

/** Starts the server as a child process (same environment) and reads the port it prints. */
async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL("./server.js", import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(([code]) => {
      throw new Error(`the server exited with code ${code} before listening`);
    }),
  ])) as [string];
  lines.close();
  const { port } = JSON.parse(first) as { port: number };
  return { url: `http://127.0.0.1:${port}`, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = once(child, "exit");
  child.kill("SIGTERM"); // the server exports what it still holds, then exits
  await exited;
}

const tracing = setupTracing({ serviceName: "http-trace-client" });
const server = await startServer();

const shoutRemote = rt.functionNode(
  async (word: string) => {
    // The current call's span goes along as a W3C `traceparent` header.
    const headers = rt.inject({ "content-type": "text/plain" });
    const res = await fetch(`${server.url}/shout`, {
      method: "POST",
      headers,
      body: word,
      signal: rt.signal(),
    });
    if (!res.ok) throw new Error(`the server answered ${res.status}: ${await res.text()}`);
    return res.text();
  },
  { name: "shoutRemote", kind: "tool" },
);

const shoutEveryWord = rt.functionNode(
  async (text: string) => (await Promise.all(text.split(" ").map((w) => rt.call(shoutRemote, w)))).join(" "),
  { name: "shoutEveryWord" },
);

const session = new rt.Session({ name: "http-trace" });
try {
  console.log(await session.run(() => rt.call(shoutEveryWord, "one trace two processes")));
  console.log(rt.formatTree(session.tree));
  const traceId = session.tree.root.traceId;
  console.log(
    `trace ${traceId}: http://localhost:16686/trace/${traceId} (spans sent to ${tracing.endpoint})`,
  );
} finally {
  await stopServer(server.child);
  await tracing.shutdown();
}
