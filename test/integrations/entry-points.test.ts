/**
 * The SDK integrations are subpath exports with optional peer dependencies: `@runtrace/core` and
 * its other entry points never load them, nor the SDKs they wrap. (test/pack installs the packed
 * package without `openai` and `ai` and imports it for real.)
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../packages/core/src/", import.meta.url));
const IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm;

/** Every module `entry` loads at run time (type-only imports are erased), and the packages they import. */
function loads(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(IMPORT)) {
      if (specifier!.startsWith(".")) visit(resolve(dirname(file), specifier!.replace(/\.js$/, ".ts")));
      else packages.add(specifier!);
    }
  };
  visit(join(SRC, entry));
  return { files: [...files].map((file) => relative(SRC, file)).sort(), packages: [...packages].sort() };
}

describe("the entry points of @runtrace/core", () => {
  it.each(["index.ts", "otel.ts", "browser.ts"])("%s loads no integration and no SDK", (entry) => {
    const { files, packages } = loads(entry);
    expect(files.length).toBeGreaterThan(1);
    expect(files.filter((file) => file.startsWith("integrations/"))).toEqual([]);
    expect(packages.filter((name) => /^(openai|ai|@ai-sdk\/.*)$/.test(name))).toEqual([]);
  });

  it("@runtrace/core/openai loads no `openai` at run time: it patches the client it is given", () => {
    const { files, packages } = loads("openai.ts");
    expect(files).toContain("integrations/openai/wrap-openai.ts");
    expect(packages.filter((name) => /^(openai|ai|@ai-sdk\/.*)$/.test(name))).toEqual([]);
  });

  it("@runtrace/core/ai-sdk loads `ai` (its peer dependency) and no provider package", () => {
    const { packages } = loads("ai-sdk.ts");
    expect(packages).toContain("ai");
    expect(packages.filter((name) => name.startsWith("@ai-sdk/") || name === "openai")).toEqual([]);
  });
});
