/**
 * The TypeScript samples of README.md and docs/*.md, as programs to type-check and run.
 *
 * Every ```ts block is a whole program unless the line before it says otherwise:
 *
 *   <!-- sample: prelude=NAME -->   uses names from test/docs/preludes/NAME.ts (the ones it does
 *                                   not define itself), so a snippet can stay short
 *   <!-- sample: types -->          type-checked only: it needs a network, Jaeger or a real model
 *   <!-- sample: skip -->           not checked at all: a signature summary, not code; or one file
 *                                   of a user's multi-file project (getting-started.md), a project
 *                                   test/pack compiles for real from the packed tarballs
 *
 * Words combine: `<!-- sample: prelude=core types -->`.
 */
import ts from "typescript";

/** How a sample is checked. */
export interface Sample {
  /** The markdown file, relative to the repository. */
  readonly file: string;
  /** Line of the first code line in the markdown file (1-based). */
  readonly line: number;
  readonly code: string;
  readonly prelude: string | undefined;
  /** false: type-checked only. */
  readonly run: boolean;
  readonly skip: boolean;
}

const FENCE = /^```(\w+)?\s*$/;
const DIRECTIVE = /^<!--\s*sample:(.*?)-->\s*$/;

/** Reads the words of a `<!-- sample: ... -->` comment; throws on one it does not know. */
export function parseDirective(
  text: string,
  where: string,
): { prelude: string | undefined; run: boolean; skip: boolean } {
  let prelude: string | undefined;
  let run = true;
  let skip = false;
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const named = /^prelude=([a-z][a-z0-9-]*)$/.exec(word);
    if (named) prelude = named[1];
    else if (word === "types") run = false;
    else if (word === "skip") skip = true;
    else {
      throw new Error(
        `${where}: unknown word ${JSON.stringify(word)} in a sample comment; expected prelude=NAME, types or skip.`,
      );
    }
  }
  return { prelude, run, skip };
}

/** The ```ts (or ```typescript) blocks of a markdown text, with how each is checked. */
export function findSamples(markdown: string, file: string): Sample[] {
  const lines = markdown.split("\n");
  const samples: Sample[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = FENCE.exec(lines[i]!);
    if (!open) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const language = open[1];
    if (language === "ts" || language === "typescript") {
      let before = i - 1;
      while (before >= 0 && lines[before]!.trim() === "") before--;
      const directive = before >= 0 ? DIRECTIVE.exec(lines[before]!.trim()) : null;
      const how = directive
        ? parseDirective(directive[1]!, `${file}:${before + 1}`)
        : { prelude: undefined, run: true, skip: false };
      samples.push({ file, line: i + 2, code: lines.slice(i + 1, end).join("\n"), ...how });
    }
    i = end + 1;
  }
  return samples;
}

/** The names a module declares or imports at its top level. */
export function topLevelNames(code: string): Set<string> {
  const source = ts.createSourceFile("sample.ts", code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const bind = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name) names.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.add(e.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bind(declaration.name);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

/** The value names a prelude exports. */
export function exportedNames(code: string): string[] {
  const source = ts.createSourceFile("prelude.ts", code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names: string[] = [];
  const exported = (node: ts.Node) =>
    ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.exportClause) {
      if (ts.isNamedExports(statement.exportClause)) {
        for (const e of statement.exportClause.elements) if (!e.isTypeOnly) names.push(e.name.text);
      }
    } else if (ts.isVariableStatement(statement) && exported(statement)) {
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name)) names.push(d.name.text);
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) &&
      exported(statement)
    ) {
      if (statement.name) names.push(statement.name.text);
    }
  }
  return names;
}

/**
 * The program a sample becomes: one import line from its prelude (the names it does not define
 * itself), then the sample as written, so a diagnostic's line is the sample's line plus one.
 */
export function sampleProgram(sample: Sample, preludeExports: readonly string[]): string {
  const own = topLevelNames(sample.code);
  const names = preludeExports.filter((name) => !own.has(name));
  const header =
    sample.prelude === undefined || names.length === 0
      ? "export {};"
      : `import { ${names.join(", ")} } from "./preludes/${sample.prelude}.js";`;
  return `${header}\n${sample.code}\n`;
}
