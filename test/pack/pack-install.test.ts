/**
 * runtrace in a user's own project, which is not this workspace: `npm pack` both packages, install
 * the tarballs into a scratch project in a temp dir (its own package.json and tsconfig), compile a
 * program with the workspace's tsc, run it with node, and use the `runtrace` command there. Once with
 * TC39 decorators and the settings `tsc --init` writes, once with `experimentalDecorators` and
 * OpenTelemetry. Only the tarballs and registry packages (from the local cache where it has them).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pack,
  ROOT,
  removeScratchDirs,
  run,
  runOk,
  scratchDir,
  type Tarball,
  TSC,
  workspaceVersion,
} from "./scratch.js";

const FIXTURES = join(ROOT, "test/pack/fixtures");
let core: Tarball;
let viz: Tarball;
let bullmq: Tarball;

beforeAll(async () => {
  const dest = scratchDir("tarballs-");
  core = await pack("core", dest);
  viz = await pack("viz", dest);
  bullmq = await pack("bullmq", dest);
}, 300_000);

afterAll(() => removeScratchDirs(), 120_000);

describe("the packed tarballs", () => {
  it("hold the built code, its types, the viewer app and the command, and no build leftovers", () => {
    for (const file of [
      "package.json",
      "README.md",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/otel.js",
      "dist/otel.d.ts",
      "dist/openai.js",
      "dist/openai.d.ts",
      "dist/ai-sdk.js",
      "dist/ai-sdk.d.ts",
      "dist/remote.js",
      "dist/remote.d.ts",
      "dist/format.js",
      "dist/format.d.ts",
    ])
      expect(core.files).toContain(file);
    // Not installed in the scratch projects below: BullMQ's optional native msgpack build has an
    // install script, and npm would warn about it there.
    for (const file of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/worker.js"])
      expect(bullmq.files).toContain(file);
    for (const file of [
      "package.json",
      "README.md",
      "bin/runtrace.js",
      "dist/cli/main.js",
      "dist/index.d.ts",
    ])
      expect(viz.files).toContain(file);
    expect(viz.files).toContain("dist/client/index.html");
    expect(viz.files.filter((file) => /^dist\/client\/assets\/app-[\w-]+\.js$/.test(file))).toHaveLength(1);
    for (const file of [...core.files, ...viz.files, ...bullmq.files]) {
      expect(file).not.toMatch(/\.map$|\.tsbuildinfo$|\.test\.|(^|\/)src\//);
    }
  });
});

interface Variant {
  name: string;
  compilerOptions: Record<string, unknown>;
  /** More dependencies of the scratch project (installed in the workspace, so in the npm cache). */
  extraDependencies: string[];
  /** The fixtures copied to `src/`; the first one is the program to run. */
  sources: string[];
}

const variants: Variant[] = [
  {
    name: "TC39 decorators, the tsconfig of `tsc --init` (types: []) without skipLibCheck",
    compilerOptions: {
      rootDir: "./src",
      outDir: "./dist",
      module: "nodenext",
      // `tsc --init` writes "esnext", which leaves `@decorator` syntax in the output: Node has none yet.
      target: "es2022",
      types: [],
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      noUncheckedSideEffectImports: true,
      moduleDetection: "force",
      // Checks runtrace's declarations too: with `types: []` they must bring Node's types themselves.
      skipLibCheck: false,
    },
    extraDependencies: [],
    sources: ["trip.ts"],
  },
  {
    name: "experimentalDecorators with decorator metadata, and OpenTelemetry",
    compilerOptions: {
      rootDir: "./src",
      outDir: "./dist",
      module: "nodenext",
      target: "es2022",
      types: ["node"],
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: true,
    },
    extraDependencies: [
      "@opentelemetry/sdk-trace-node",
      "@opentelemetry/resources",
      "@opentelemetry/exporter-trace-otlp-http",
    ],
    sources: ["trip-traced.ts", "trip.ts"],
  },
];

/** The tree `formatTree` and `runtrace show` print for trip.ts, without times and the session id. */
const TRIP_TREE = [
  /^✓ trip \[session\] [\d.]+ ms \d{8}-\d{6}-[0-9a-f]{10}$/,
  /^├─ ✓ Planner\.plan [\d.]+ ms$/,
  /^│ {2}├─ ✓ lookup [\d.]+ ms$/,
  /^│ {2}├─ ✓ lookup [\d.]+ ms$/,
  /^│ {2}└─ ✓ lookup [\d.]+ ms$/,
  /^└─ ✓ summarize \[tool\] [\d.]+ ms$/,
];

function expectTripTree(lines: string[]): void {
  expect(lines.filter((line) => /[✓✗]/.test(line))).toEqual(
    TRIP_TREE.map((pattern) => expect.stringMatching(pattern)),
  );
}

describe.each(variants)("a scratch project: $name", (variant) => {
  let app: string;

  beforeAll(async () => {
    app = scratchDir("app-");
    const dependencies: Record<string, string> = {
      "@runtrace/core": `file:${core.path}`,
      "@runtrace/viz": `file:${viz.path}`,
    };
    for (const name of variant.extraDependencies) dependencies[name] = workspaceVersion(name);
    const manifest = {
      name: "my-app",
      private: true,
      type: "module",
      dependencies,
      devDependencies: { "@types/node": workspaceVersion("@types/node") },
    };
    writeFileSync(join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const tsconfig = { compilerOptions: variant.compilerOptions, include: ["src"] };
    writeFileSync(join(app, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
    mkdirSync(join(app, "src"));
    for (const file of variant.sources) copyFileSync(join(FIXTURES, file), join(app, "src", file));
  }, 60_000);

  it("installs the tarballs with their peer dependency, compiles, runs, and the runtrace command shows the run", async () => {
    const install = await runOk("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], app);
    expect(install.stderr).not.toMatch(/npm warn/i);
    // `@opentelemetry/api` is a peer dependency: npm installs it beside @runtrace/core.
    expect(existsSync(join(app, "node_modules/@opentelemetry/api/package.json"))).toBe(true);
    expect(existsSync(join(app, "node_modules/.bin/runtrace"))).toBe(true);
    // The SDKs the integrations wrap are optional peer dependencies: not installed here.
    expect(existsSync(join(app, "node_modules/openai"))).toBe(false);
    expect(existsSync(join(app, "node_modules/ai"))).toBe(false);

    const compiled = await run(process.execPath, [TSC, "-p", "."], app);
    expect(compiled.stdout + compiled.stderr).toBe("");
    expect(compiled.code).toBe(0);

    const ran = await runOk(
      process.execPath,
      [join("dist", variant.sources[0]!.replace(/\.ts$/, ".js"))],
      app,
    );
    expect(ran.stderr).toBe("");
    const lines = ran.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("Oslo: sunny; Lima: sunny; Pune: sunny");
    expectTripTree(lines);
    expect(lines).toContain("toHtml: has Planner.plan");
    if (variant.sources[0] === "trip-traced.ts") expect(lines.at(-1)).toBe("spans: 6");

    // Without `openai` and `ai`, @runtrace/core and its other entry points load (`/otel` where the
    // OpenTelemetry SDK it sets up is installed); the AI SDK integration names what is missing.
    const traced = variant.extraDependencies.includes("@opentelemetry/sdk-trace-node");
    const imports = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        [
          'const core = await import("@runtrace/core");',
          'const openai = await import("@runtrace/core/openai");',
          "console.log(typeof core.functionNode, typeof openai.wrapOpenAI);",
          traced ? 'console.log(typeof (await import("@runtrace/core/otel")).setupTracing);' : "",
          'await import("@runtrace/core/ai-sdk");',
        ].join("\n"),
      ],
      app,
    );
    expect(imports.stdout, imports.stderr).toBe(`function function\n${traced ? "function\n" : ""}`);
    expect(imports.stderr).toMatch(/Cannot find package 'ai'/);

    const help = await runOk("npx", ["runtrace", "--help"], app);
    expect(help.stdout).toContain("Usage: runtrace [options] [command]");

    const show = await runOk("npx", ["runtrace", "show", "latest"], app);
    expect(show.stderr).toBe("");
    expectTripTree(show.stdout.trimEnd().split("\n"));

    const exported = await runOk(
      "npx",
      ["runtrace", "export", "latest", "--format", "html", "-o", "trip.html"],
      app,
    );
    expect(exported.stdout).toBe("");
    expect(exported.stderr).toMatch(
      /^Wrote html export of session \d{8}-\d{6}-[0-9a-f]{10} \(5 calls\) to .*trip\.html$/m,
    );
    const html = readFileSync(join(app, "trip.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<script type="application/json" id="runtrace-data">');
    expect(html).toContain("Planner.plan");
    // One file: the app's script and styles are inlined, nothing is loaded from elsewhere.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet/);
  }, 240_000);
});
