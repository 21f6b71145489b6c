/**
 * The parts of `@modelcontextprotocol/sdk` this integration uses, as types only: nothing here loads
 * the SDK, so it stays an optional peer dependency, and a client or server from another copy of the
 * SDK fits as long as it has these methods.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { McpServer, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";

/** An MCP client (`Client` of `@modelcontextprotocol/sdk/client`), connected. */
export type McpClient = Pick<Client, "listTools" | "callTool" | "getServerVersion">;

/** An MCP server (`McpServer` of `@modelcontextprotocol/sdk/server/mcp.js`). */
export type McpToolServer = Pick<McpServer, "registerTool">;

export type { CallToolResult, RegisteredTool, Tool };
