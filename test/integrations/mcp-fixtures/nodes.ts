/**
 * The MCP server the MCP tests talk to: a few nodes served with `serveNodes`. The stdio tests run it
 * in a child process (stdio-server.ts), the Streamable HTTP tests in this process.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import * as rt from "@runtrace/core";
import { type ServeNodesOptions, serveNodes } from "@runtrace/core/mcp";
import { z } from "zod";

export const SERVER_NAME = "fixture-weather";

const geocode = rt.functionNode(
  async (city: string) => {
    await sleep(2);
    return city === "Oslo" ? { lat: 59.91, lon: 10.75 } : { lat: 48.86, lon: 2.35 };
  },
  { name: "geocode" },
);
const temperature = rt.functionNode(async (lat: number) => Math.round(30 - lat / 3), { name: "temperature" });
const sky = rt.functionNode(async (lon: number) => (lon > 5 ? "cloudy" : "sunny"), { name: "sky" });

/** Nested calls, two of them in parallel. */
const forecast = rt.functionNode(
  async (input: { city: string }) => {
    const { lat, lon } = await rt.call(geocode, input.city);
    const [degrees, looks] = await Promise.all([rt.call(temperature, lat), rt.call(sky, lon)]);
    rt.event("forecast ready", { city: input.city });
    return { city: input.city, degrees, sky: looks };
  },
  {
    name: "forecast",
    kind: "tool",
    description: "The weather in a city",
    params: z.object({ city: z.string().describe("The city's name") }),
  },
);

const checkCity = rt.functionNode(
  async (city: string) => {
    throw new Error(`no weather station in ${city}`);
  },
  { name: "checkCity" },
);

/** Fails in a nested call. */
const alerts = rt.functionNode(async (city: string) => rt.call(checkCity, city), {
  name: "alerts",
  kind: "tool",
  description: "Weather alerts for a city",
  params: [["city", z.string()]],
});

/** Takes `ms` milliseconds, and stops early when its call is cancelled. */
const slow = rt.functionNode(
  async (ms: number) => {
    await sleep(ms, undefined, { signal: rt.signal() });
    return "finally";
  },
  { name: "slow", kind: "tool", description: "Waits", params: [["ms", z.number().int().min(0)]] },
);

const sum = rt.functionNode(async (numbers: number[]) => numbers.reduce((a, b) => a + b, 0), {
  name: "sum",
  kind: "tool",
  params: [["numbers", z.array(z.number())]],
});

export const fixtureNodes = [forecast, alerts, slow, sum];

/** A new MCP server with the fixture's nodes. */
export function fixtureServer(options?: ServeNodesOptions): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version: "1.0.0" });
  serveNodes(server, fixtureNodes, options);
  return server;
}
