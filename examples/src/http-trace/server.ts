/**
 * The server half of the http-trace example: a tiny node:http service whose every request is a
 * runtrace session continuing the caller's trace (`new rt.Session({ parent: req.headers })`).
 *
 * Run on its own: `PORT=8080 node examples/dist/http-trace/server.js` (the client starts it for you).
 * It prints `{"port":N}` once listening, and on SIGTERM or SIGINT stops listening, exports the spans
 * it still holds and exits on its own: the example, not runtrace, owns the signal handling.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";
import { setupTracing } from "@runtrace/core/otel";

const tracing = setupTracing({ serviceName: "http-trace-server" });

const shout = rt.functionNode(
  async (text: string) => {
    await sleep(5 + Math.random() * 10, undefined, { signal: rt.signal() });
    rt.event("shouted", { length: text.length });
    return `${text.toUpperCase()}!`;
  },
  { name: "shout" },
);

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (req.method !== "POST" || path !== "/shout") {
    res.writeHead(404).end();
    return;
  }
  // The caller's `traceparent` header makes this session's root span a child of its span.
  const session = new rt.Session({ name: `POST ${path}`, parent: req.headers });
  session
    .run(async () => rt.call(shout, await body(req)))
    .then(
      (out) => res.writeHead(200, { "content-type": "text/plain" }).end(out),
      (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(String(error)),
    );
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});

async function stop(): Promise<void> {
  server.close();
  server.closeAllConnections();
  await tracing.shutdown();
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
