// Every TypeScript sample of README.md and docs/*.md (also docs added later) is type-checked
// against the built workspace packages, and the ones that are whole offline programs are run.
// How a block is checked is said by a comment before it: see samples.ts.
import { execFile } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exportedNames,
  findSamples,
  parseDirective,
  type Sample,
  sampleProgram,
  topLevelNames,
} from "./samples.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PRELUDES = fileURLToPath(new URL("./preludes/", import.meta.url));

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

const samples: Sample[] = markdownFiles().flatMap((file) =>
  findSamples(readFileSync(join(ROOT, file), "utf8"), file),
);
const checked = samples.filter((s) => !s.skip);
const fileOf = (s: Sample) => `${s.file.replace(/[^A-Za-z0-9]+/g, "-")}-${s.line}.ts`;

let work = "";
const problems = new Map<string, string[]>();

function compilerOptions(dir: string): ts.CompilerOptions {
  const base = ts.readConfigFile(join(ROOT, "tsconfig.base.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, dir);
  return {
    ...parsed.options,
    composite: false,
    incremental: false,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    noEmit: false,
    rootDir: dir,
    outDir: dir,
    experimentalDecorators: false,
    emitDecoratorMetadata: false,
  };
}

function describeDiagnostic(diagnostic: ts.Diagnostic, sample: Sample | undefined): string {
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  if (!diagnostic.file || diagnostic.start === undefined) return `TS${diagnostic.code}: ${text}`;
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  // The program has one line before the sample's first line.
  const where = sample
    ? `${sample.file}:${sample.line + line - 1}`
    : `${diagnostic.file.fileName}:${line + 1}`;
  return `${where} TS${diagnostic.code}: ${text}`;
}

beforeAll(() => {
  // Inside the repository, so that `@runtrace/core` resolves to the workspace packages.
  const artifacts = join(ROOT, "test/.artifacts");
  mkdirSync(artifacts, { recursive: true });
  work = mkdtempSync(join(artifacts, "doc-samples-"));
  mkdirSync(join(work, "preludes"));
  const exportsOf = new Map<string, string[]>();
  for (const name of readdirSync(PRELUDES).filter((n) => n.endsWith(".ts"))) {
    copyFileSync(join(PRELUDES, name), join(work, "preludes", name));
    exportsOf.set(name.slice(0, -3), exportedNames(readFileSync(join(PRELUDES, name), "utf8")));
  }
  for (const sample of checked) {
    if (sample.prelude !== undefined && !exportsOf.has(sample.prelude)) {
      problems.set(fileOf(sample), [
        `${sample.file}:${sample.line}: no prelude test/docs/preludes/${sample.prelude}.ts`,
      ]);
      continue;
    }
    writeFileSync(
      join(work, fileOf(sample)),
      sampleProgram(sample, exportsOf.get(sample.prelude ?? "") ?? []),
    );
  }
  const roots = [
    ...[...exportsOf.keys()].map((name) => join(work, "preludes", `${name}.ts`)),
    ...checked.filter((s) => !problems.has(fileOf(s))).map((s) => join(work, fileOf(s))),
  ];
  const program = ts.createProgram(roots, compilerOptions(work));
  const bySample = new Map(checked.map((s) => [join(work, fileOf(s)), s]));
  for (const root of roots) {
    const source = program.getSourceFile(root)!;
    const found = ts
      .getPreEmitDiagnostics(program, source)
      .map((d) => describeDiagnostic(d, bySample.get(root)));
    const key = root.startsWith(join(work, "preludes")) ? `prelude:${root}` : root.slice(work.length + 1);
    if (found.length > 0) problems.set(key, found);
    else program.emit(source);
  }
}, 180_000);

afterAll(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

describe("the samples in README.md and docs/*.md", () => {
  it("are found, and every prelude type-checks", () => {
    expect(checked.length).toBeGreaterThan(10);
    const preludeProblems = [...problems].filter(([key]) => key.startsWith("prelude:")).flatMap(([, p]) => p);
    expect(preludeProblems).toEqual([]);
  });

  describe.each(checked.map((s) => [`${s.file}:${s.line}`, s] as const))("%s", (_name, sample) => {
    it("type-checks", () => {
      expect(
        problems.get(fileOf(sample)) ?? [],
        "a snippet that is not a whole program needs a comment before it, such as <!-- sample: prelude=core --> (see test/docs/samples.ts)",
      ).toEqual([]);
    });

    it.runIf(sample.run)(
      "runs offline",
      async () => {
        expect(problems.has(fileOf(sample)), "it must type-check first").toBe(false);
        const cwd = mkdtempSync(join(tmpdir(), "runtrace-doc-sample-"));
        // The working directory of a project that has recorded before.
        mkdirSync(join(cwd, ".runtrace"));
        const env = Object.fromEntries(
          Object.entries(process.env).filter(([key]) => !/^(OPENAI_|OTEL_|RUNTRACE_)/.test(key)),
        );
        try {
          await run(process.execPath, [join(work, fileOf(sample).replace(/\.ts$/, ".js"))], {
            cwd,
            env: { ...env, NO_COLOR: "1" },
            timeout: 60_000,
          });
        } catch (error) {
          const { stderr, stdout } = error as { stderr?: string; stdout?: string };
          throw new Error(`${sample.file}:${sample.line} failed:\n${stderr || stdout || String(error)}`);
        } finally {
          rmSync(cwd, { recursive: true, force: true });
        }
      },
      90_000,
    );
  });
});

describe("the sample convention", () => {
  it("reads the comment before a block, and rejects a word it does not know", () => {
    const md = [
      "text",
      "```ts",
      "const a = 1;",
      "```",
      "<!-- sample: prelude=core types -->",
      "",
      "```ts",
      "a;",
      "```",
      "<!-- sample: skip -->",
      "```typescript",
      "x",
      "```",
      "```sh",
      "npm test",
      "```",
    ].join("\n");
    const found = findSamples(md, "x.md");
    expect(found.map(({ line, prelude, run, skip }) => ({ line, prelude, run, skip }))).toEqual([
      { line: 3, prelude: undefined, run: true, skip: false },
      { line: 8, prelude: "core", run: false, skip: false },
      { line: 12, prelude: undefined, run: true, skip: true },
    ]);
    expect(() => parseDirective("typecheck", "x.md:1")).toThrow('unknown word "typecheck"');
  });

  it("imports from a prelude only the names a sample does not define", () => {
    const prelude =
      "export { rt };\nexport const model = 1;\nexport function ask() {}\nexport type T = 1;\nconst hidden = 2;";
    expect(exportedNames(prelude)).toEqual(["rt", "model", "ask"]);
    const code = 'import * as rt from "@runtrace/core";\nconst model = rt.scriptedModel([]);';
    expect([...topLevelNames(code)]).toEqual(["rt", "model"]);
    const program = sampleProgram({ file: "x.md", line: 3, code, prelude: "core", run: true, skip: false }, [
      "rt",
      "model",
      "ask",
    ]);
    expect(program.split("\n")[0]).toBe('import { ask } from "./preludes/core.js";');
  });
});
