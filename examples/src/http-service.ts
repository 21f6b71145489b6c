/**
 * An HTTP service (node:http) where every request is its own session: its own call tree, its own
 * stored file, its own usage totals, however many requests run at once (the FastAPI use of
 * reference scenario 002). `POST /ask` answers with a support agent that calls two tools in
 * parallel; `GET /ask/stream?q=...` streams the answer as server-sent events, and a client that
 * disconnects cancels its session's work.
 *
 * Run: node examples/dist/http-service.js          (sends three concurrent requests to itself)
 *      node examples/dist/http-service.js --serve  (keeps serving on PORT, default 3000)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import * as rt from "@runtrace/core";
import { z } from "zod";
import { chooseModel, describeModel, isMain, lastUserMessage, toolResults } from "./models.js";

export const orderStatus = rt.functionNode(
  async (orderId: string) => {
    await sleep(40, undefined, { signal: rt.signal() });
    return { orderId, status: Number(orderId) % 2 === 0 ? "shipped" : "packing" };
  },
  { name: "orderStatus", kind: "tool", description: "Status of an order", params: [["orderId", z.string()]] },
);

export const shippingEstimate = rt.functionNode(
  async (orderId: string) => {
    await sleep(60, undefined, { signal: rt.signal() });
    return { orderId, days: (Number(orderId) % 3) + 1 };
  },
  {
    name: "shippingEstimate",
    kind: "tool",
    description: "Days until an order arrives",
    params: [["orderId", z.string()]],
  },
);

/** Offline stand-in: asks for both tools about the order in the question, then answers from them. */
export function offlineModel(): rt.ScriptedModel {
  return rt.scriptedModel(
    [
      (request) => {
        const results = toolResults(request);
        if (Object.keys(results).length === 0) {
          const orderId = /\d+/.exec(lastUserMessage(request))?.[0] ?? "0";
          return {
            toolCalls: [
              { name: "orderStatus", arguments: { orderId } },
              { name: "shippingEstimate", arguments: { orderId } },
            ],
            delayMs: 30,
          };
        }
        const status = JSON.parse(results.orderStatus ?? "{}");
        const estimate = JSON.parse(results.shippingEstimate ?? "{}");
        return {
          text: `Order ${status.orderId} is ${status.status} and should arrive in ${estimate.days} day(s).`,
          delayMs: 40,
          tokenDelayMs: 10,
        };
      },
    ],
    { name: "scripted-support", loop: true },
  );
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    return {};
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** The service; each request runs in a session of its own. */
export function makeService(model: rt.Model): Server {
  const agent = rt.agentNode({
    name: "supportAgent",
    model,
    system: "You answer questions about orders. Look up the status and the shipping estimate together.",
    tools: [orderStatus, shippingEstimate],
  });

  async function ask(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readJson(req);
    const question = String(body.question ?? "");
    const session = new rt.Session({
      name: "POST /ask",
      attributes: {
        "http.request.method": "POST",
        "url.path": "/ask",
        user: String(body.user ?? "anonymous"),
      },
    });
    try {
      const answer = await session.run(() => agent(question));
      const trace = url.searchParams.has("trace") ? { tree: session.tree.toJSON() } : {};
      send(res, 200, { answer, sessionId: session.id, calls: session.tree.size, ...trace });
    } catch (error) {
      send(res, 500, {
        error: error instanceof Error ? error.message : String(error),
        sessionId: session.id,
      });
    }
  }

  async function stream(_req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const question = url.searchParams.get("q") ?? "";
    // A client that goes away cancels the session: the agent, its tools and the model request stop.
    const gone = new AbortController();
    res.on("close", () => gone.abort("client disconnected"));
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const session = new rt.Session({ name: "GET /ask/stream", signal: gone.signal });
    try {
      await session.run(async () => {
        for await (const token of rt.stream(agent, question)) res.write(`data: ${JSON.stringify(token)}\n\n`);
      });
      res.end(`event: done\ndata: ${JSON.stringify({ sessionId: session.id })}\n\n`);
    } catch (error) {
      if (!res.writableEnded) res.end(`event: error\ndata: ${JSON.stringify(String(error))}\n\n`);
    }
  }

  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route =
      req.method === "POST" && url.pathname === "/ask"
        ? ask
        : req.method === "GET" && url.pathname === "/ask/stream"
          ? stream
          : undefined;
    if (route === undefined) {
      send(res, 404, { error: "Try POST /ask {question} or GET /ask/stream?q=..." });
      return;
    }
    route(req, res, url).catch((error) => send(res, 500, { error: String(error) }));
  });
}

/** Starts the service on 127.0.0.1 (port 0: any free port); resolves with its base URL. */
export async function listen(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

if (isMain(import.meta.url)) {
  const model = chooseModel(offlineModel);
  const server = makeService(model);
  const serve = process.argv.includes("--serve");
  const base = await listen(server, serve ? Number(process.env.PORT ?? 3000) : 0);
  console.log(`Support service on ${base}, ${describeModel(model)}`);
  if (serve) {
    console.log(`Try: curl -s -X POST ${base}/ask -d '{"question":"Where is order 42?"}'`);
    console.log(`     curl -N "${base}/ask/stream?q=Where+is+order+7"`);
  } else {
    const questions = ["Where is order 42?", "Where is order 7?", "When does order 1001 arrive?"];
    const replies = await Promise.all(
      questions.map(async (question, i) => {
        const response = await fetch(`${base}/ask?trace`, {
          method: "POST",
          body: JSON.stringify({ question, user: `user${i + 1}` }),
        });
        return (await response.json()) as { answer: string; sessionId: string; tree: rt.CallRecordJSON };
      }),
    );
    await rt.flush();
    for (const reply of replies) {
      console.log(`\n${reply.answer}`);
      console.log(`session ${reply.sessionId}: ${JSON.stringify(summary(reply.tree))}`);
    }
    server.close();
  }
}

/** A compact view of a tree from JSON: node names, nested. */
function summary(record: rt.CallRecordJSON): unknown {
  return record.children.length === 0 ? record.node : { [record.node]: record.children.map(summary) };
}
