// Parameter types read through reflect-metadata need TypeScript's own emit (esbuild, which vitest
// uses, drops decorator metadata): the fixture is compiled with tsc under experimentalDecorators +
// emitDecoratorMetadata and run with node against the built packages.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/travel-tools.ts", import.meta.url));

interface Output {
  toolNames: string[];
  schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }>;
  metadata: { key: string; name: string; kind: string; parameters: unknown };
  results: Record<string, unknown>;
  answer: string;
}

let out: Output;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "runtrace-metadata-"));
  // Resolve @runtrace/core, reflect-metadata and zod as an application would.
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  const program = ts.createProgram([FIXTURE], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    strict: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [join(ROOT, "node_modules/@types")],
    rootDir: join(ROOT, "test/decorators/fixtures"),
    outDir: dir,
  });
  const emitted = program.emit();
  const problems = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  );
  expect(problems).toEqual([]);
  const { writeFileSync } = await import("node:fs");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const { stdout } = await run(process.execPath, [join(dir, "travel-tools.js")], { cwd: dir });
  out = JSON.parse(stdout) as Output;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("decorated methods described by their declared types (emitDecoratorMetadata)", () => {
  it("rt.toolsOf lists an instance's decorated methods, not its other methods", () => {
    expect(out.toolNames).toEqual([
      "TravelTools.book",
      "TravelTools.hotels",
      "TravelTools.search",
      "TravelTools.rate",
    ]);
  });

  it("gives each tool a JSON Schema from its parameter types and names, and @rt.field descriptions", () => {
    expect(out.schemas["TravelTools.hotels"]).toEqual({
      type: "object",
      properties: { city: { type: "string" }, limit: { type: "number" } },
      required: ["city", "limit"],
      additionalProperties: false,
    });
    const book = out.schemas["TravelTools.book"]!;
    expect(Object.keys(book.properties)).toEqual(["booking", "confirm", "note"]);
    expect(book.required).toEqual(["booking", "confirm"]);
    expect(book.properties.booking).toMatchObject({
      type: "object",
      properties: {
        destination: { type: "string", description: "IATA code of the destination" },
        nights: { type: "number", description: "nights to stay" },
        lead: {
          type: "object",
          description: "who travels",
          properties: { name: { type: "string", description: "full name" }, age: { type: "number" } },
        },
        extras: { type: "array", items: { type: "string" } },
      },
      required: ["destination", "lead", "extras"],
    });
    // `params` wins over the declared types; a class's static zod schema describes it.
    expect(out.schemas["TravelTools.search"]!.properties).toEqual({ q: { type: "string", minLength: 2 } });
    expect(out.schemas["TravelTools.rate"]!.properties.rating).toMatchObject({
      type: "object",
      properties: { stars: { type: "integer", minimum: 1, maximum: 5 } },
    });
  });

  it("validates arguments by those types, and passes them on as given", () => {
    expect(out.results.withInstance).toBe("Acme: OSL for 1 nights, confirm=true, note=none");
    expect(out.results.hotels).toEqual(["Oslo hotel 1", "Oslo hotel 2"]);
    expect(out.results.wrongType).toMatch(/^ValidationError: Invalid argument "limit" .*expected number/);
    expect(out.results.missing).toMatch(
      /^ValidationError: Invalid argument "booking" .*lead: .*expected object, received undefined/,
    );
    expect(out.results.paramsWin).toMatch(/^ValidationError: Invalid argument "q" .*>=2 characters/);
    expect(out.results.rated).toMatch(/^ValidationError: Invalid argument "rating" .*stars: .*<=5/);
  });

  it("publishes each node under rt.NODE_METADATA for frameworks to discover", () => {
    expect(out.metadata).toEqual({
      key: "hotels",
      name: "TravelTools.hotels",
      kind: "tool",
      parameters: out.schemas["TravelTools.hotels"],
    });
  });

  it("an agent given rt.toolsOf(instance) calls the methods as tools", () => {
    expect(out.answer).toBe("Hotel Roma it is.");
  });
});
