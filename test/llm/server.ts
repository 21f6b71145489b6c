/**
 * An OpenAI-compatible Chat Completions server on 127.0.0.1 for tests: it answers each request with
 * the next scripted reply (JSON, server-sent events with delays, error statuses with headers, or
 * no answer at all) and remembers what it received and when each connection closed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface HttpReply {
  /** @default 200 */
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** Server-sent events: each item is sent as one `data:` event (objects as JSON), then `[DONE]`. */
  sse?: unknown[];
  /** Pause before each event. */
  chunkDelayMs?: number;
  /** Never answer (for timeouts). */
  hang?: boolean;
}

export type ScriptedHttpReply = HttpReply | ((request: ReceivedRequest) => HttpReply);

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: any;
  /** performance.now() when the request arrived. */
  at: number;
  /** SSE events written so far. */
  eventsSent: number;
  /** True once the whole reply was written. */
  finished: boolean;
  /** Resolves when the connection of this request closes; `early` when the reply was not complete. */
  closed: Promise<{ early: boolean }>;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>/v1` */
  baseURL: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function reply(res: ServerResponse, request: ReceivedRequest, scripted: HttpReply): Promise<void> {
  if (scripted.hang) return;
  const status = scripted.status ?? 200;
  if (scripted.sse !== undefined) {
    res.writeHead(status, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      ...scripted.headers,
    });
    res.flushHeaders();
    for (const item of [...scripted.sse, "[DONE]"]) {
      if (scripted.chunkDelayMs) await sleep(scripted.chunkDelayMs);
      if (res.destroyed || res.writableEnded) return;
      res.write(`data: ${typeof item === "string" ? item : JSON.stringify(item)}\n\n`);
      request.eventsSent++;
    }
    res.end();
    request.finished = true;
    return;
  }
  const body = JSON.stringify(scripted.json ?? {});
  res.writeHead(status, { "content-type": "application/json", ...scripted.headers });
  res.end(body);
  request.finished = true;
}

/** Starts a server that answers with `replies` in order (the last one repeats when they run out). */
export async function startServer(replies: ScriptedHttpReply[]): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (req, res) => {
    let markClosed!: (value: { early: boolean }) => void;
    const request: ReceivedRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: undefined,
      at: performance.now(),
      eventsSent: 0,
      finished: false,
      closed: new Promise((resolve) => {
        markClosed = resolve;
      }),
    };
    res.on("close", () => markClosed({ early: !request.finished }));
    request.body = await readBody(req);
    requests.push(request);
    const entry = replies[Math.min(requests.length - 1, replies.length - 1)]!;
    const scripted = typeof entry === "function" ? entry(request) : entry;
    await reply(res, request, scripted);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A non-streamed Chat Completions reply. */
export function completion(options: {
  text?: string;
  toolCalls?: Array<{ id: string; name: string; arguments: unknown }>;
  usage?: { input: number; output: number };
  model?: string;
}): unknown {
  const toolCalls = options.toolCalls?.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    model: options.model ?? "test-model-2025",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: options.text ?? null,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: toolCalls ? "tool_calls" : "stop",
      },
    ],
    ...(options.usage
      ? {
          usage: {
            prompt_tokens: options.usage.input,
            completion_tokens: options.usage.output,
            total_tokens: options.usage.input + options.usage.output,
          },
        }
      : {}),
  };
}

/** The SSE chunks of a streamed reply: one per text piece, then the finish chunk, then usage. */
export function streamChunks(pieces: string[], usage?: { input: number; output: number }): unknown[] {
  const base = { id: "chatcmpl-test", object: "chat.completion.chunk", model: "test-model-2025" };
  return [
    { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
    ...pieces.map((content) => ({
      ...base,
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
    ...(usage
      ? [{ ...base, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output } }]
      : []),
  ];
}
