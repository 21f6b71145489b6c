// The fixture's MCP server on stdio, as a process of its own (built to JavaScript by mcp-helpers.ts).
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { fixtureServer } from "./nodes.js";

await fixtureServer().connect(new StdioServerTransport());
