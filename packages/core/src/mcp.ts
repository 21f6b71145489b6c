/**
 * `@runtrace/core/mcp`: the Model Context Protocol. An MCP server's tools as nodes (`mcpTools`), and
 * nodes as an MCP server's tools (`serveNodes`), with the server's calls joining the caller's trace
 * and tree. `@modelcontextprotocol/sdk` is an optional peer dependency: only this entry uses it,
 * and only its types; importing `@runtrace/core` never loads it.
 *
 * @example
 * ```ts
 * import { mcpTools, serveNodes } from "@runtrace/core/mcp";
 * const tools = await mcpTools(client);            // an MCP server's tools as tool nodes
 * serveNodes(mcpServer, [forecast, alerts]);       // nodes as MCP tools, traces joined
 * ```
 */
export type { McpFailure } from "./integrations/mcp/errors.js";
export { McpToolError } from "./integrations/mcp/errors.js";
export type { CallerMeta } from "./integrations/mcp/meta.js";
export { META_CALLER, META_CALLS, META_JSON } from "./integrations/mcp/meta.js";
export type { McpClient, McpToolServer } from "./integrations/mcp/sdk.js";
export type { ServeNodesOptions } from "./integrations/mcp/serve.js";
export { serveNodes } from "./integrations/mcp/serve.js";
export type { McpToolNode, McpToolsOptions } from "./integrations/mcp/tools.js";
export { mcpTools } from "./integrations/mcp/tools.js";
export type { RemoteCalls } from "./session-file/graft.js";
