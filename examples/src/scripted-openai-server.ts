/**
 * A stand-in for the OpenAI Chat Completions API on 127.0.0.1, so that the examples of the
 * official SDKs (`openai`, the Vercel AI SDK) run offline. Each request is answered by a function
 * of what was sent: text (streamed word by word when asked), or tool calls.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** What the server answers: the model's text, or the tools it asks for. */
export type ScriptedReply = { text: string } | { toolCalls: Array<{ name: string; arguments: unknown }> };

/** A Chat Completions request as the server receives it. */
export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content?: unknown; tool_call_id?: string }>;
  tools?: unknown[];
  stream?: boolean;
}

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>/v1`, the `baseURL` of a client. */
  baseURL: string;
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<ChatRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatRequest;
}

/** Roughly one token per four characters, as the usage the server reports. */
const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** Starts the server; `answer` says what the model replies to each request. */
export async function startScriptedServer(
  answer: (request: ChatRequest) => ScriptedReply,
): Promise<ScriptedServer> {
  let next = 0;
  const server = createServer(async (req, res) => {
    const request = await bodyOf(req);
    const reply = answer(request);
    const id = `chatcmpl-${++next}`;
    const model = `${request.model}-offline`;
    const usage = {
      prompt_tokens: tokens(JSON.stringify(request.messages)),
      completion_tokens: tokens(JSON.stringify(reply)),
    };
    const toolCalls =
      "toolCalls" in reply
        ? reply.toolCalls.map((call, index) => ({
            index,
            id: `call_${next}_${index}`,
            type: "function",
            function: { name: call.name, arguments: JSON.stringify(call.arguments) },
          }))
        : undefined;
    const finish_reason = toolCalls ? "tool_calls" : "stop";
    if (!request.stream) {
      const message = {
        role: "assistant",
        content: "text" in reply ? reply.text : null,
        tool_calls: toolCalls,
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id,
          object: "chat.completion",
          model,
          choices: [{ index: 0, message, finish_reason }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = (choices: unknown[], extra: object = {}) =>
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", model, choices, ...extra })}\n\n`,
      );
    if (toolCalls)
      send([{ index: 0, delta: { role: "assistant", tool_calls: toolCalls }, finish_reason: null }]);
    else {
      for (const word of (reply as { text: string }).text.split(/(?<= )/)) {
        await sleep(15);
        send([{ index: 0, delta: { content: word }, finish_reason: null }]);
      }
    }
    send([{ index: 0, delta: {}, finish_reason }]);
    send([], { usage });
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The results of the tools the model asked for, from the last messages of a request. */
export function toolResultsOf(request: ChatRequest): string[] {
  const results: string[] = [];
  for (let i = request.messages.length - 1; i >= 0 && request.messages[i]!.role === "tool"; i--)
    results.unshift(String(request.messages[i]!.content));
  return results;
}
