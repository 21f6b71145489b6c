/**
 * An agent whose tools live in another process, behind the Model Context Protocol. The weather
 * server (mcp-weather-server.ts) runs as a child process on stdio; `mcpTools` makes its tools
 * tool nodes, and the agent calls two of them at once. The printed tree shows each MCP call with
 * the calls the server made to answer it below it, as if they had run here: the server sent them
 * back in the result, and they were grafted under the call (and stored with this session).
 *
 * Run: node examples/dist/mcp-trip-agent.js ["your question"]
 *      (offline with a scripted model; set OPENAI_BASE_URL and OPENAI_API_KEY for a real one)
 */
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import * as rt from "@runtrace/core";
import { type McpToolNode, mcpTools } from "@runtrace/core/mcp";
import { chooseModel, describeModel, isMain } from "./models.js";

/** Offline stand-in: asks for the weather in both cities at once, then compares the answers. */
export function offlineModel(): rt.ScriptedModel {
  return rt.scriptedModel(
    [
      {
        toolCalls: [
          { name: "forecast", arguments: { city: "Oslo" } },
          { name: "forecast", arguments: { city: "Rome" } },
        ],
      },
      (request) => {
        const [oslo, rome] = request.messages
          .filter((message) => message.role === "tool")
          .map((message) => JSON.parse(message.content) as { city: string; celsius: number; sky: string });
        const warmer = oslo!.celsius > rome!.celsius ? oslo! : rome!;
        return `${warmer.city} is warmer today: ${warmer.celsius}°C and ${warmer.sky} (${oslo!.city} ${oslo!.celsius}°C, ${rome!.city} ${rome!.celsius}°C).`;
      },
    ],
    { name: "scripted-planner" },
  );
}

/** The trip planner: an agent with the MCP server's tools. */
export function makePlanner(model: rt.Model, tools: McpToolNode[]) {
  return rt.agentNode({
    name: "tripPlanner",
    model,
    system: "You help plan trips. Use the tools for facts about the weather.",
    tools,
  });
}

/** Starts the weather server as a child process and connects to it. */
export async function connectWeather(): Promise<Client> {
  const script = fileURLToPath(new URL("./mcp-weather-server.js", import.meta.url));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [script],
    // The server records its own sessions where this process does (RUNTRACE_DIR, RUNTRACE_STORE).
    env: process.env as Record<string, string>,
  });
  const client = new Client({ name: "trip-planner", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

if (isMain(import.meta.url)) {
  const question = process.argv[2] ?? "Is it warmer in Oslo or in Rome today?";
  const model = chooseModel(offlineModel);
  const client = await connectWeather();
  try {
    const tools = await mcpTools(client, { timeoutMs: 10_000 });
    console.log(`Tools from the MCP server: ${tools.map((t) => t.name).join(", ")}`);
    console.log(`Asking "${question}" on ${describeModel(model)}\n`);
    const session = new rt.Session({ name: "mcp-trip" });
    const answer = await session.run(() => rt.call(makePlanner(model, tools), question));
    await rt.flush();
    console.log(`${answer}\n`);
    console.log(rt.formatTree(session.tree));
  } finally {
    await client.close();
  }
}
