import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { ReadError } from "../errors.js";
import { SessionReader, writerAlive } from "./reader.js";
import { storedRecord } from "./record.js";
import { CallTree } from "./tree.js";

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
  const id = basename(file).replace(/\.jsonl$/, "");
  const start = await stat(file).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  const root = storedRecord("0", null, id, id, "session", start, undefined);
  root.status = "interrupted";
  const tree = new CallTree(root);
  tree.warnings.push(
    "the file is empty: the process that recorded this session stopped before writing its first line",
  );
  return tree;
}

/**
 * Reads a stored session file into its tree. A last line without its newline (the writer died
 * mid-write) is used when it parses and otherwise noted and skipped. A session with no end whose
 * writing process is gone reads as `interrupted`; so does an empty file, with no calls.
 */
export async function readSessionFile(file: string): Promise<CallTree> {
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
  if (rest.length > 0) {
    try {
      JSON.parse(rest);
      reader.push(rest);
    } catch {
      reader.warn(
        `the last line was cut off (${rest.length} bytes) and was skipped: the writer stopped mid-write`,
      );
    }
  }
  const tree = reader.tree;
  if (tree === undefined && blank && rest.trim().length === 0) return emptySession(file);
  if (tree === undefined) {
    throw new ReadError(
      `${file} is not a runtrace session file: it has no session header line. Expected JSON lines starting with {"type":"session",...}.`,
    );
  }
  if (!reader.ended && !writerAlive(tree.writer)) tree.root.status = "interrupted";
  return tree;
}
