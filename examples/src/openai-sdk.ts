/**
 * Code written against the official `openai` client, recorded by runtrace. A support desk answers a
 * ticket with a tool loop of its own: the model asks for an order's status, a runtrace tool node
 * looks it up, and the model writes the answer, streamed. `wrapOpenAI` makes every request a
 * `chat {model}` call in the tree, beside the tool calls, with the streamed tokens, usage and cost.
 *
 * Run: node examples/dist/openai-sdk.js ["Where is my order 1042?"]
 *      (offline against a local stand-in for the API; set OPENAI_BASE_URL and OPENAI_API_KEY for a real one)
 */
import * as rt from "@runtrace/core";
import { wrapOpenAI } from "@runtrace/core/openai";
import OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { z } from "zod";
import { isMain, online } from "./models.js";
import { type ScriptedServer, startScriptedServer, toolResultsOf } from "./scripted-openai-server.js";

export const orderStatus = rt.functionNode(
  async (orderId: string) => ({
    orderId,
    status: Number(orderId) % 2 === 0 ? "shipped" : "packing",
    eta: `${(Number(orderId) % 3) + 1} days`,
  }),
  { name: "orderStatus", kind: "tool", description: "Status of an order", params: [["orderId", z.string()]] },
);

/** A `supportDesk` node: one model turn that may ask for `orderStatus`, then a streamed answer. */
export function makeSupportDesk(client: OpenAI, model: string, onToken?: (token: string) => void) {
  const tools = [{ type: "function" as const, function: orderStatus.toolSchema() }];
  return rt.functionNode(
    async (ticket: string): Promise<string> => {
      const messages: ChatCompletionMessageParam[] = [
        { role: "system", content: "You answer support tickets in one friendly sentence." },
        { role: "user", content: ticket },
      ];
      const first = await client.chat.completions.create({ model, messages, tools });
      const asked = first.choices[0]!.message;
      messages.push(asked);
      for (const call of asked.tool_calls ?? []) {
        if (call.type !== "function") continue;
        const { orderId } = JSON.parse(call.function.arguments) as { orderId: string };
        const status = await rt.callWith(
          { attributes: { "gen_ai.tool.call.id": call.id } },
          orderStatus,
          orderId,
        );
        messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify(status) });
      }
      const stream = await client.chat.completions.create({
        model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let answer = "";
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta.content ?? "";
        answer += piece;
        if (piece !== "") onToken?.(piece);
      }
      return answer;
    },
    { name: "supportDesk" },
  );
}

/** The local stand-in for the API: asks for the order's status, then answers from it. */
export function startOfflineApi(): Promise<ScriptedServer> {
  return startScriptedServer((request) => {
    const [result] = toolResultsOf(request);
    if (result !== undefined) {
      const { orderId, status, eta } = JSON.parse(result) as { orderId: string; status: string; eta: string };
      return { text: `Good news: order ${orderId} is ${status} and should reach you in ${eta}.` };
    }
    const ticket = String(request.messages.at(-1)?.content ?? "");
    return { toolCalls: [{ name: "orderStatus", arguments: { orderId: /\d+/.exec(ticket)?.[0] ?? "0" } }] };
  });
}

/** Answers `ticket` in a session of its own: offline, or on the API the environment names. */
export async function runSupportDesk(
  ticket: string,
  onToken?: (token: string) => void,
  { useApi = online() }: { useApi?: boolean } = {},
) {
  const offline = useApi ? undefined : await startOfflineApi();
  try {
    const client = wrapOpenAI(new OpenAI(offline ? { baseURL: offline.baseURL, apiKey: "offline" } : {}), {
      prices: { "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
    });
    const desk = makeSupportDesk(client, process.env.OPENAI_MODEL ?? "gpt-4o-mini", onToken);
    const session = new rt.Session({ name: "support-desk" });
    const answer = await session.run(() => desk(ticket));
    return { answer, session };
  } finally {
    await offline?.close();
  }
}

if (isMain(import.meta.url)) {
  const ticket = process.argv[2] ?? "Where is my order 1042?";
  console.log(`Ticket: ${ticket}\n`);
  process.stdout.write("Answer (streamed): ");
  const { session } = await runSupportDesk(ticket, (token) => process.stdout.write(token));
  await rt.flush();
  console.log(`\n\n${rt.formatTree(session.tree)}\n`);
  const totals = session.tree.root.attributes;
  console.log(
    `Model calls: ${totals["runtrace.model_calls"]}, tokens in/out: ${totals["gen_ai.usage.input_tokens"]}/${totals["gen_ai.usage.output_tokens"]}, cost: $${Number(totals["runtrace.cost_usd"] ?? 0).toFixed(6)}`,
  );
}
