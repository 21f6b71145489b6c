/** A parameter as a function's source declares it. */
export interface SourceParameter {
  name: string;
  /** It has a default value (`limit = 10`) or gathers the rest (`...more`): it may be left out. */
  optional: boolean;
}

/**
 * The parameters of a function, read from its source (`fn.toString()`), for tools whose
 * parameters are described by their types: `search(query, limit = 10)` gives `query` and an
 * optional `limit`. A parameter without a plain name (a destructured one) is `arg<N>`. Source that
 * cannot be read (a native or bound function) gives none.
 */
export function sourceParameters(fn: (...args: never[]) => unknown): SourceParameter[] {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return [];
  }
  const list = parameterList(source);
  if (list === undefined) return [];
  return splitTopLevel(list)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part, index) => {
      const name = /^(?:\.\.\.)?\s*([A-Za-z_$][\w$]*)\s*(?:=|$)/.exec(part)?.[1];
      return { name: name ?? `arg${index}`, optional: part.startsWith("...") || hasDefault(part) };
    });
}

/** Whether a parameter has an `=` outside brackets (a default value). */
function hasDefault(part: string): boolean {
  let depth = 0;
  for (let i = 0; i < part.length; i++) {
    const ch = part[i]!;
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    else if (ch === "=" && depth === 0 && part[i + 1] !== ">") return true;
  }
  return false;
}

/** What stands between a function's opening parenthesis and its matching closing one. */
function parameterList(source: string): string | undefined {
  const arrowParam = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (arrowParam) return arrowParam[1];
  const open = source.indexOf("(");
  if (open === -1) return undefined;
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '"' || ch === "'" || ch === "`") {
      i = skipString(source, i);
      continue;
    }
    if (ch === "/" && (source[i + 1] === "/" || source[i + 1] === "*")) {
      i = skipComment(source, i);
      continue;
    }
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") {
      depth--;
      if (depth === 0) return source.slice(open + 1, i);
    }
  }
  return undefined;
}

/** The parts of a parameter list separated by commas outside brackets, strings and comments. */
function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let clean = "";
  for (let i = 0; i < list.length; i++) {
    const ch = list[i]!;
    if (ch === '"' || ch === "'" || ch === "`") {
      i = skipString(list, i);
      continue;
    }
    if (ch === "/" && (list[i + 1] === "/" || list[i + 1] === "*")) {
      clean += list.slice(start, i);
      i = skipComment(list, i);
      start = i + 1;
      continue;
    }
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    else if (ch === "," && depth === 0) {
      parts.push(clean + list.slice(start, i));
      clean = "";
      start = i + 1;
    }
  }
  parts.push(clean + list.slice(start));
  return parts;
}

/** The index of the quote that closes the string opening at `at`. */
function skipString(text: string, at: number): number {
  const quote = text[at];
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

/** The index of the last character of the comment opening at `at`. */
function skipComment(text: string, at: number): number {
  if (text[at + 1] === "/") {
    const end = text.indexOf("\n", at);
    return end === -1 ? text.length : end;
  }
  const end = text.indexOf("*/", at + 2);
  return end === -1 ? text.length : end + 1;
}
