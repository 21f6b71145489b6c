import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { ReadError } from "../errors.js";
import type { CallTree } from "../recording/tree.js";
import { sessionIdOfFile } from "./ids.js";
import { SessionReader } from "./reader.js";
import { SEGMENT_EXTENSION, SEGMENT_INDEX_EXTENSION } from "./segments.js";
import { placeholderSession } from "./summary.js";

/** Splits a byte stream into lines without holding the whole file as one string. */
async function forEachLine(file: string, onLine: (line: string) => void): Promise<string> {
  let rest = "";
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      onLine(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  return rest;
}

/**
 * The session of a file with nothing in it: its process was killed before it wrote its first line.
 * An interrupted session with no calls, named after its file, started when the file was last
 * written (its creation, in practice).
 */
async function emptySession(file: string): Promise<CallTree> {
  const id = sessionIdOfFile(basename(file)) ?? basename(file);
  const start = await stat(file).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  return placeholderSession(
    id,
    "interrupted",
    start,
    "the file is empty: the process that recorded this session stopped before writing its first line",
  );
}

/**
 * Reads a stored session file into its tree. A last line without its newline (the writer died
 * mid-write) is used when it parses and otherwise noted and skipped. A session with no end whose
 * writing process is gone reads as `interrupted`; so does an empty file, with no calls.
 */
export async function readSessionFile(file: string): Promise<CallTree> {
  if (file.endsWith(SEGMENT_EXTENSION) || file.endsWith(SEGMENT_INDEX_EXTENSION)) {
    throw new ReadError(
      `${file} is a segment file, which holds many sessions: read one of them by its id instead (rt.readSession(id, { dir }), or \`runtrace show <id> --dir\`; \`runtrace ls\` lists them).`,
    );
  }
  const reader = new SessionReader(file);
  let rest: string;
  let blank = true;
  try {
    rest = await forEachLine(file, (line) => {
      if (blank && line.trim().length > 0) blank = false;
      reader.push(line);
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(error);
    throw new ReadError(`Cannot read session file ${file}: ${why}.`, { cause: error });
  }
  reader.pushLast(rest);
  const tree = reader.tree;
  if (tree === undefined && blank && rest.trim().length === 0) return emptySession(file);
  if (tree === undefined) {
    throw new ReadError(
      `${file} is not a runtrace session file: it has no session header line. Expected JSON lines starting with {"type":"session",...}.`,
    );
  }
  if (reader.writerGone) reader.interrupt();
  return tree;
}
