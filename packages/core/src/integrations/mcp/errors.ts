import { RuntraceError } from "../../errors.js";
import { readProperty, textOf } from "../../internal/safe.js";
import { resultText } from "./result.js";
import type { CallToolResult } from "./sdk.js";

/**
 * Why a call of an MCP tool failed: the tool reported an error (`tool`), the connection to the
 * server closed while waiting (`closed`: the server exited or the transport failed), the MCP
 * request timed out (`timeout`), or the request failed otherwise (`request`: not connected, an
 * unknown tool, arguments the server rejected, a network error).
 */
export type McpFailure = "tool" | "closed" | "timeout" | "request";

/** A call of an MCP tool failed. `reason` says how; the message names the server and the tool. */
export class McpToolError extends RuntraceError {
  override name = "McpToolError";
  /** The server's name (from its `initialize` answer, or the `server` option of `mcpTools`). */
  readonly server: string;
  /** The MCP tool's name. */
  readonly tool: string;
  readonly reason: McpFailure;
  /** The tool's result, when the tool reported the error (`isError: true`). */
  readonly result: CallToolResult | undefined;

  constructor(
    message: string,
    details: { server: string; tool: string; reason: McpFailure; result?: CallToolResult },
    options?: { cause?: unknown },
  ) {
    super("RUNTRACE_MCP", message, options);
    this.server = details.server;
    this.tool = details.tool;
    this.reason = details.reason;
    this.result = details.result;
  }
}

/** The error for a tool result with `isError: true`. */
export function toolFailed(server: string, tool: string, result: CallToolResult): McpToolError {
  return new McpToolError(`MCP tool "${tool}" on server "${server}" failed: ${resultText(result)}`, {
    server,
    tool,
    reason: "tool",
    result,
  });
}

// JSON-RPC codes of the SDK's McpError (its ErrorCode enum), read from the error, not imported.
const CONNECTION_CLOSED = -32000;
const REQUEST_TIMEOUT = -32001;

/** The error for a `tools/call` request that got no result: it names the server, the tool and why. */
export function requestFailed(error: unknown, server: string, tool: string, timeoutMs: number): McpToolError {
  const code = readProperty(error, "code");
  const said = error instanceof Error ? error.message : textOf(error);
  if (code === CONNECTION_CLOSED) {
    return new McpToolError(
      `MCP server "${server}" closed the connection while tool "${tool}" was running (${said}): the server exited or its transport failed.`,
      { server, tool, reason: "closed" },
      { cause: error },
    );
  }
  if (code === REQUEST_TIMEOUT) {
    return new McpToolError(
      `MCP server "${server}" did not answer tool "${tool}" within ${timeoutMs} ms (the MCP request timeout). Give mcpTools a longer \`requestTimeoutMs\` if the tool needs more time.`,
      { server, tool, reason: "timeout" },
      { cause: error },
    );
  }
  return new McpToolError(
    `MCP tool "${tool}" on server "${server}" could not be called: ${said}`,
    { server, tool, reason: "request" },
    { cause: error },
  );
}
