import { describeValue, InvalidOptionsError } from "../../errors.js";
import { errorText } from "../../internal/safe.js";
import { nodeHandle } from "../../nodes/def.js";
import type { Node } from "../../nodes/node.js";
import { jsonSchemaOf } from "../../nodes/schema.js";
import { checkOptionKeys } from "../../option-keys.js";
import { call } from "../../runtime/call.js";
import { Session } from "../../runtime/session.js";
import { exportCalls } from "../../session-file/graft.js";
import type { Store } from "../../stores/store.js";
import { listedAs } from "./json-schema.js";
import { callerOf, META_CALLS, traceCarrierOf } from "./meta.js";
import { toolResult } from "./result.js";
import type { CallToolResult, McpToolServer, RegisteredTool } from "./sdk.js";

/** Options of `serveNodes`. */
export interface ServeNodesOptions {
  /** Where the sessions of tool calls are stored; `null` stores nothing. @default the configured store */
  store?: Store | null;
  /**
   * Send a caller that asks for them (`mcpTools` does) the calls made to answer it, in the result's
   * `_meta`, so that they show in the caller's tree. Turn it off when callers must not see the
   * server's inputs, outputs and errors. @default true
   */
  shareCalls?: boolean;
}

const OPTIONS = Object.keys({ store: true, shareCalls: true } satisfies Record<
  keyof ServeNodesOptions,
  true
>);

/** Attributes of a served call's session (not `….session.id`: keys ending so are redacted as cookies). */
const ATTR_CALLER_SESSION = "runtrace.caller.session";
const ATTR_CALLER_CALL = "runtrace.caller.call";
const ATTR_MCP_METHOD_NAME = "mcp.method.name";
const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";

/** How an MCP tool's arguments object becomes a node's arguments. */
type ArgumentsOf = (args: Record<string, unknown>) => unknown[];

/**
 * The arguments of a node from an MCP arguments object, after its `params`: named parameters by
 * name; one object schema gets the whole object; one schema of another type is the `input`
 * property (as the node's tool schema describes it); no `params`, the whole object.
 */
function argumentsOf(node: Node): ArgumentsOf {
  const params = nodeHandle(node)!.def.options.params;
  if (Array.isArray(params)) {
    const names = params.map(([name]) => name as string);
    return (args) => {
      const out = names.map((name) => args[name]);
      while (out.length > 0 && out[out.length - 1] === undefined) out.pop();
      return out;
    };
  }
  if (params !== undefined && jsonSchemaOf(params as Parameters<typeof jsonSchemaOf>[0]).type !== "object")
    return (args) => [args.input];
  return (args) => [args];
}

/**
 * Registers runtrace nodes as tools of an MCP server (`McpServer` of the MCP SDK). A tool is named
 * and described as the node's tool schema says (`node.toolSchema()`, the schema agents see), its
 * input schema is that schema's `parameters` (from the node's `params`), and a call runs the node
 * in a session of its own, named `tools/call <tool>`, that continues the caller's trace and names
 * the caller's session: from the W3C trace context and `runtrace/caller` of the request's `_meta`
 * (`mcpTools` sends both). When tracing is on, the session's spans join the caller's trace; when the
 * caller asks, its calls go back in the result's `_meta` and join the caller's tree.
 *
 * The node's value becomes the result: a string as text, a plain object as `structuredContent`
 * (and its JSON as text), anything else as JSON text; a value shaped as a tool result (`{ content }`)
 * as it is. A node that throws gives a result with `isError: true` and the error's message. The
 * client cancelling the request cancels the session.
 *
 * @example
 * ```ts
 * const server = new McpServer({ name: "weather", version: "1.0.0" });
 * serveNodes(server, [forecast, alerts]);
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function serveNodes(
  server: McpToolServer,
  nodes: readonly Node[],
  options: ServeNodesOptions = {},
): RegisteredTool[] {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `serveNodes: expected options to be an object, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys("serveNodes", options, OPTIONS);
  if (typeof server?.registerTool !== "function") {
    throw new InvalidOptionsError(
      `serveNodes expected an McpServer (from @modelcontextprotocol/sdk/server/mcp.js), got ${describeValue(server)}.`,
    );
  }
  if (!Array.isArray(nodes)) {
    throw new InvalidOptionsError(`serveNodes expected an array of nodes, got ${describeValue(nodes)}.`);
  }
  nodes.forEach((node, i) => {
    if (nodeHandle(node) === undefined) {
      throw new InvalidOptionsError(
        `serveNodes: expected \`nodes[${i}]\` to be a node, got ${describeValue(node)}. Wrap it first: rt.functionNode(fn, { name, description, params }).`,
      );
    }
  });
  return nodes.map((node) => {
    const schema = node.toolSchema();
    const args = argumentsOf(node);
    return server.registerTool(
      schema.name,
      { description: schema.description, inputSchema: listedAs(schema.parameters) },
      (input, extra) => runTool(node, schema.name, args(input), extra, options),
    );
  });
}

interface RequestExtra {
  signal: AbortSignal;
  _meta?: Record<string, unknown>;
}

async function runTool(
  node: Node,
  tool: string,
  args: unknown[],
  extra: RequestExtra,
  options: ServeNodesOptions,
): Promise<CallToolResult> {
  const caller = callerOf(extra._meta);
  const attributes: Record<string, unknown> = {
    [ATTR_MCP_METHOD_NAME]: "tools/call",
    [ATTR_GEN_AI_TOOL_NAME]: tool,
  };
  if (caller !== undefined) {
    attributes[ATTR_CALLER_SESSION] = caller.session;
    attributes[ATTR_CALLER_CALL] = caller.call;
  }
  const session = new Session({
    name: `tools/call ${tool}`,
    parent: traceCarrierOf(extra._meta),
    signal: extra.signal,
    attributes,
    ...(options.store === undefined ? {} : { store: options.store }),
  });
  let result: CallToolResult;
  try {
    result = toolResult(await session.run(() => call(node, ...args)));
  } catch (error) {
    result = { content: [{ type: "text", text: errorText(error) }], isError: true };
  }
  if (caller?.calls === true && options.shareCalls !== false) {
    result = { ...result, _meta: { ...result._meta, [META_CALLS]: exportCalls(session.tree) } };
  }
  return result;
}
