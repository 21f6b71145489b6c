/**
 * A weather service as an MCP server: runtrace nodes served as MCP tools with `serveNodes`. Each
 * tool call runs in a session of its own that continues the caller's trace (when tracing is on)
 * and, when the caller is a runtrace client (`mcpTools`), sends the calls it made back to it, so
 * they show in the caller's tree. mcp-trip-agent.ts starts this server and uses it.
 *
 * Run: node examples/dist/mcp-weather-server.js   (an MCP server on stdin/stdout)
 */
import { setTimeout as sleep } from "node:timers/promises";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import * as rt from "@runtrace/core";
import { serveNodes } from "@runtrace/core/mcp";
import { z } from "zod";
import { isMain } from "./models.js";

const wait = (ms: number) => sleep(ms, undefined, { signal: rt.signal() });

const STATIONS: Record<string, { station: string; celsius: number; sky: string }> = {
  oslo: { station: "Blindern", celsius: 4, sky: "light snow" },
  rome: { station: "Ciampino", celsius: 19, sky: "sunny" },
  lisbon: { station: "Gago Coutinho", celsius: 22, sky: "clear" },
};

export const findStation = rt.functionNode(
  async (city: string) => {
    await wait(15);
    const found = STATIONS[city.toLowerCase()];
    if (found === undefined) throw new Error(`no weather station near ${city}`);
    return found.station;
  },
  { name: "findStation" },
);

export const readStation = rt.functionNode(
  async (station: string) => {
    await wait(25);
    const found = Object.values(STATIONS).find((s) => s.station === station)!;
    return { celsius: found.celsius, sky: found.sky };
  },
  { name: "readStation" },
);

/** The forecast for a city: finds its station, then reads it. */
export const forecast = rt.functionNode(
  async (city: string) => {
    const station = await rt.call(findStation, city);
    const reading = await rt.call(readStation, station);
    return { city, station, ...reading };
  },
  {
    name: "forecast",
    kind: "tool",
    description: "Today's weather in a city: temperature in °C and the sky",
    params: [["city", z.string().describe("The city, such as Oslo")]],
  },
);

/** The weather MCP server (not yet connected to a transport). */
export function weatherServer(): McpServer {
  const server = new McpServer({ name: "weather", version: "1.0.0" });
  serveNodes(server, [forecast]);
  return server;
}

if (isMain(import.meta.url)) {
  await weatherServer().connect(new StdioServerTransport());
}
