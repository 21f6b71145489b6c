import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  type CallTree,
  findSession,
  isSessionId,
  isSessionPath,
  readSession,
  readSessionAt,
} from "@runtrace/core";
import { SessionSource } from "../load/sessions.js";
import { CliError } from "./errors.js";

/** A session found from what the user typed. */
export interface ResolvedSession {
  tree: CallTree;
  /** Where it was read from: its own file, or the segment file holding it. */
  file: string;
}

const EXPECTED = 'a session id (see `runtrace ls`), a .jsonl file, or "latest"';

/** Reads `<session-id | file | latest>`; a `CliError` saying what was wrong and how to fix it otherwise. */
export async function resolveSession(ref: string, dir: string): Promise<ResolvedSession> {
  const source = new SessionSource({ dir });
  if (isSessionPath(ref)) {
    const file = resolve(ref);
    if (!existsSync(file))
      throw new CliError(`no file ${JSON.stringify(ref)} (${file}). Expected ${EXPECTED}.`);
    return { tree: await readSession(file), file };
  }
  let id = ref;
  if (ref === "latest") {
    const latest = await source.latest();
    if (latest === undefined) {
      throw new CliError(
        `no sessions in ${source.dir} to pick "latest" from. Record one first (rt.session(...)), or pass --dir (or set RUNTRACE_DIR) to where the sessions are.`,
      );
    }
    id = latest.id;
  } else if (!isSessionId(ref)) {
    throw new CliError(`${JSON.stringify(ref)} is not a session id. Expected ${EXPECTED}.`);
  }
  // Its own file, else the segment file a short session of a busy process was appended to.
  const place = await findSession(source.dir, id);
  if (place === undefined) {
    throw new CliError(
      `no session ${JSON.stringify(ref)} in ${source.dir}. Expected ${EXPECTED}; check the id with \`runtrace ls\`, or pass --dir.`,
    );
  }
  return { tree: await readSessionAt(place), file: place.file };
}
