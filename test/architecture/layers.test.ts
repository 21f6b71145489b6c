// @runtrace/core is built in layers, each using only the ones below it, so that a change low down
// (the record model, the session file) never depends on what sits on top (the runtime, tracing).
// This reads the import lines of every source file and checks each against the layer order.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../packages/core/src/", import.meta.url));

/** Lowest first. A file may import from its own layer and any layer before it. */
const LAYERS: Array<{ name: string; holds: (path: string) => boolean }> = [
  {
    name: "errors/internal",
    holds: (path) => path === "errors.ts" || path === "option-keys.ts" || path.startsWith("internal/"),
  },
  { name: "recording", holds: (path) => path.startsWith("recording/") },
  { name: "session-file", holds: (path) => path.startsWith("session-file/") },
  {
    name: "stores",
    holds: (path) => path.startsWith("stores/") || path === "config.ts" || path === "flush.ts",
  },
  { name: "nodes", holds: (path) => path.startsWith("nodes/") },
  { name: "runtime", holds: (path) => path.startsWith("runtime/") },
  {
    name: "tracing/flows/llm/workers",
    holds: (path) =>
      path.startsWith("tracing/") ||
      path.startsWith("flows/") ||
      path.startsWith("llm/") ||
      path.startsWith("workers/"),
  },
  { name: "integrations", holds: (path) => path.startsWith("integrations/") },
  {
    name: "entry points",
    holds: (path) =>
      [
        "index.ts",
        "otel.ts",
        "browser.ts",
        "mcp.ts",
        "openai.ts",
        "ai-sdk.ts",
        "remote.ts",
        "format.ts",
      ].includes(path),
  },
];

function layerOf(path: string): number {
  const layer = LAYERS.findIndex((candidate) => candidate.holds(path));
  if (layer === -1) throw new Error(`packages/core/src/${path} is in no layer: add it to LAYERS`);
  return layer;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

/** The relative modules a file imports (static and dynamic, values and types). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g))
    found.push(match[1]!);
  return found;
}

describe("layers of @runtrace/core", () => {
  const files = sourceFiles(SRC);

  it("finds the sources and puts every file in a layer", () => {
    expect(files.length).toBeGreaterThan(80);
    for (const file of files) layerOf(relative(SRC, file));
  });

  it("has no import from a lower layer back up", () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = relative(SRC, file);
      for (const spec of importsOf(file)) {
        const to = relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, ".ts");
        if (layerOf(to) > layerOf(from))
          upward.push(
            `${from} (${LAYERS[layerOf(from)]!.name}) imports ${to} (${LAYERS[layerOf(to)]!.name})`,
          );
      }
    }
    expect(upward).toEqual([]);
  });
});
