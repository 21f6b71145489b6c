import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type CallTree, isSessionId, isSessionPath, readSession } from "@runtrace/core";
import { SessionSource } from "../load/sessions.js";
import { CliError } from "./errors.js";

/** A session found from what the user typed. */
export interface ResolvedSession {
  tree: CallTree;
  file: string;
}

const EXPECTED = 'a session id (see `runtrace ls`), a .jsonl file, or "latest"';

/** Reads `<session-id | file | latest>`; a `CliError` saying what was wrong and how to fix it otherwise. */
export async function resolveSession(ref: string, dir: string): Promise<ResolvedSession> {
  const source = new SessionSource({ dir });
  let file: string;
  if (ref === "latest") {
    const latest = await source.latest();
    if (latest === undefined) {
      throw new CliError(
        `no sessions in ${source.dir} to pick "latest" from. Record one first (rt.session(...)), or pass --dir (or set RUNTRACE_DIR) to where the sessions are.`,
      );
    }
    file = source.fileOf(latest.id);
  } else if (isSessionPath(ref)) {
    file = resolve(ref);
    if (!existsSync(file))
      throw new CliError(`no file ${JSON.stringify(ref)} (${file}). Expected ${EXPECTED}.`);
  } else {
    if (!isSessionId(ref)) {
      throw new CliError(`${JSON.stringify(ref)} is not a session id. Expected ${EXPECTED}.`);
    }
    file = source.fileOf(ref);
    if (!existsSync(file)) {
      throw new CliError(
        `no session ${JSON.stringify(ref)} in ${source.dir}. Expected ${EXPECTED}; check the id with \`runtrace ls\`, or pass --dir.`,
      );
    }
  }
  return { tree: await readSession(file), file };
}
