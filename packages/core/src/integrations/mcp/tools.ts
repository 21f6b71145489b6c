import { describeValue, InvalidOptionsError } from "../../errors.js";
import type { Node } from "../../nodes/node.js";
import { expectDuration } from "../../nodes/option-checks.js";
import type { RetryOption } from "../../nodes/retry-policy.js";
import { checkOptionKeys } from "../../option-keys.js";
import { warnOnce } from "../../recording/logger.js";
import { setAttributes, signal } from "../../runtime/context.js";
import { currentFrame } from "../../runtime/frame.js";
import { functionNode } from "../../runtime/function-node.js";
import { graftCalls } from "../../session-file/graft.js";
import { requestFailed, toolFailed } from "./errors.js";
import { jsonSchemaParams } from "./json-schema.js";
import { callerMeta, META_CALLS } from "./meta.js";
import { resultValue } from "./result.js";
import type { CallToolResult, McpClient, Tool } from "./sdk.js";

/** Options of `mcpTools`. */
export interface McpToolsOptions {
  /**
   * Put before each tool's name to make its node's name (`"weather_"` makes `weather_forecast`), so
   * that the tools of several servers keep apart in one agent. @default ""
   */
  prefix?: string;
  /** Which of the server's tools become nodes. @default all of them */
  filter?: (tool: Tool) => boolean;
  /**
   * What a call resolves with: `"value"`, the result's `structuredContent` when it has one, else
   * its text (text parts joined by newlines), else its content blocks; or `"result"`, the whole
   * `CallToolResult`. @default "value"
   */
  output?: "value" | "result";
  /** Each call fails with `NodeTimeoutError` after this long (the nodes' `timeoutMs`); the MCP request is cancelled. */
  timeoutMs?: number;
  /**
   * How long the MCP request waits for the server's answer (the SDK's request `timeout`); past it
   * the call fails with `McpToolError` (`reason: "timeout"`). @default 60_000, or `timeoutMs` when longer
   */
  requestTimeoutMs?: number;
  /** Retries of failed calls (the nodes' `retry`). */
  retry?: RetryOption;
  /**
   * Ask the server for the calls it made to answer (a server using `serveNodes` sends them) and
   * graft them under the call's record, so they are in this session's tree and file. @default true
   */
  remoteCalls?: boolean;
  /** The server's name in errors and records. @default the name the server gave when connecting */
  server?: string;
}

/** An MCP tool as a node: called with the tool's arguments object. */
export type McpToolNode = Node<[args?: Record<string, unknown>], unknown>;

const OPTIONS = Object.keys({
  prefix: true,
  filter: true,
  output: true,
  timeoutMs: true,
  requestTimeoutMs: true,
  retry: true,
  remoteCalls: true,
  server: true,
} satisfies Record<keyof McpToolsOptions, true>);

/** The SDK's default request timeout (`DEFAULT_REQUEST_TIMEOUT_MSEC`). */
const SDK_REQUEST_TIMEOUT_MS = 60_000;

/** Attributes of every MCP tool call's record (OpenTelemetry's MCP conventions where they have one). */
const ATTR_MCP_METHOD_NAME = "mcp.method.name";
const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
const ATTR_MCP_SERVER = "runtrace.mcp.server";
/** How many of the server's calls it left out of what it sent back (see `RemoteCalls.dropped`). */
const ATTR_REMOTE_DROPPED = "runtrace.remote.dropped";

function checkOptions(options: McpToolsOptions): void {
  const where = "mcpTools";
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `${where}: expected options to be an object, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys(where, options, OPTIONS);
  const { prefix, filter, output, timeoutMs, requestTimeoutMs, server } = options;
  if (prefix !== undefined && typeof prefix !== "string")
    throw new InvalidOptionsError(
      `${where}: expected \`prefix\` to be a string, got ${describeValue(prefix)}.`,
    );
  if (filter !== undefined && typeof filter !== "function")
    throw new InvalidOptionsError(
      `${where}: expected \`filter\` to be a function (tool) => boolean, got ${describeValue(filter)}.`,
    );
  if (output !== undefined && output !== "value" && output !== "result")
    throw new InvalidOptionsError(
      `${where}: expected \`output\` to be "value" or "result", got ${describeValue(output)}.`,
    );
  if (timeoutMs !== undefined) expectDuration(where, "timeoutMs", timeoutMs, true);
  if (requestTimeoutMs !== undefined) expectDuration(where, "requestTimeoutMs", requestTimeoutMs, true);
  if (server !== undefined && (typeof server !== "string" || server === ""))
    throw new InvalidOptionsError(
      `${where}: expected \`server\` to be a non-empty string, got ${describeValue(server)}.`,
    );
}

/** Every tool the server lists, page after page. */
async function listAll(client: McpClient): Promise<Tool[]> {
  const tools: Tool[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? undefined : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
    // A server that hands out a cursor twice would be listed forever.
    if (cursor !== undefined && seen.has(cursor)) break;
    if (cursor !== undefined) seen.add(cursor);
  } while (cursor !== undefined);
  return tools;
}

/** The result without the server's calls: they are in the tree now, and would be recorded twice. */
function withoutCalls(result: CallToolResult): CallToolResult {
  const { [META_CALLS]: _calls, ...meta } = result._meta!;
  const { _meta: _ignored, ...rest } = result;
  return Object.keys(meta).length === 0 ? rest : { ...rest, _meta: meta };
}

/** Grafts what the server sent back under the running call (the MCP tool call's record). */
function graftHere(remote: unknown, server: string): void {
  const frame = currentFrame();
  if (frame === undefined) return;
  const grafted = graftCalls(remote, frame.record, frame.session);
  if (grafted.dropped > 0) setAttributes({ [ATTR_REMOTE_DROPPED]: grafted.dropped });
  if (grafted.problems.length > 0) {
    const more = grafted.problems.length > 1 ? ` (and ${grafted.problems.length - 1} more)` : "";
    warnOnce(
      `mcp:graft:${server}`,
      `MCP server "${server}" sent back calls that could not all join the tree: ${grafted.problems[0]}${more}`,
    );
  }
}

/**
 * An MCP server's tools as tool nodes: every tool the connected `client` lists (all pages). A
 * node's tool schema is the tool's name, description and input JSON Schema as the server gave them,
 * so `rt.agentNode({ tools })` offers them to a model with their real parameters; `rt.call(node,
 * args)` calls the tool (`tools/call`) with the arguments object. Each call's record is a `tool`
 * record; the request carries the W3C trace context and the calling session in its `_meta`, and
 * the calls a runtrace server made to answer (`serveNodes`) are grafted under the record.
 *
 * A result with `isError: true` rejects with `McpToolError` (`reason: "tool"`), recorded on the call;
 * so do a connection that closes during the call (`"closed"`) and an MCP request timeout
 * (`"timeout"`), each naming the server and the tool.
 *
 * @example
 * ```ts
 * const client = new Client({ name: "trip-planner", version: "1.0.0" });
 * await client.connect(new StdioClientTransport({ command: "node", args: ["weather-server.js"] }));
 * const tools = await mcpTools(client, { timeoutMs: 10_000 });
 * const planner = rt.agentNode({ name: "planner", model, tools });
 * ```
 */
export async function mcpTools(client: McpClient, options: McpToolsOptions = {}): Promise<McpToolNode[]> {
  checkOptions(options);
  if (typeof client?.listTools !== "function" || typeof client.callTool !== "function") {
    throw new InvalidOptionsError(
      `mcpTools expected a connected MCP Client (from @modelcontextprotocol/sdk/client), got ${describeValue(client)}.`,
    );
  }
  const server = options.server ?? client.getServerVersion?.()?.name ?? "unnamed";
  const tools = await listAll(client);
  const chosen = options.filter === undefined ? tools : tools.filter(options.filter);
  return chosen.map((tool) => toolNode(client, tool, server, options));
}

function toolNode(client: McpClient, tool: Tool, server: string, options: McpToolsOptions): McpToolNode {
  const output = options.output ?? "value";
  const wantCalls = options.remoteCalls ?? true;
  const requestTimeoutMs =
    options.requestTimeoutMs ?? Math.max(SDK_REQUEST_TIMEOUT_MS, options.timeoutMs ?? 0);
  const callTool = async (args?: Record<string, unknown>): Promise<unknown> => {
    const request = { name: tool.name, arguments: args ?? {}, _meta: callerMeta(wantCalls) };
    const aborts = signal();
    let result: CallToolResult;
    try {
      result = (await client.callTool(request, undefined, {
        signal: aborts,
        timeout: requestTimeoutMs,
      })) as CallToolResult;
    } catch (error) {
      // Cancelled or timed out here: the call has already ended with its own error.
      if (aborts.aborted) throw error;
      throw requestFailed(error, server, tool.name, requestTimeoutMs);
    }
    const remote = result._meta?.[META_CALLS];
    if (remote !== undefined) {
      graftHere(remote, server);
      result = withoutCalls(result);
    }
    if (result.isError === true) throw toolFailed(server, tool.name, result);
    return output === "result" ? result : resultValue(result);
  };
  return functionNode(callTool, {
    name: `${options.prefix ?? ""}${tool.name}`,
    kind: "tool",
    description: tool.description ?? tool.title ?? "",
    params: jsonSchemaParams(tool.inputSchema),
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    attributes: {
      [ATTR_MCP_METHOD_NAME]: "tools/call",
      [ATTR_GEN_AI_TOOL_NAME]: tool.name,
      [ATTR_MCP_SERVER]: server,
    },
  }) as McpToolNode;
}
