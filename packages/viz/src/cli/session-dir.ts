import { resolve } from "node:path";
import { defaultSessionDir, isSessionPath } from "@runtrace/core";
import { sessionDirState } from "../load/session-dir.js";
import { CliError } from "./errors.js";

/** A command's directory of sessions and where it came from, for messages that say what to change. */
export interface SessionDir {
  /** As given (`--dir`, `$RUNTRACE_DIR`, or `.runtrace`). */
  readonly dir: string;
  readonly from: "--dir" | "RUNTRACE_DIR" | "default";
}

/** The directory of sessions from `--dir`, else `$RUNTRACE_DIR`, else `.runtrace`. */
export function sessionDir(given: string | undefined): SessionDir {
  return given !== undefined ? { dir: given, from: "--dir" } : defaultSessionDir();
}

/**
 * Fails with a `CliError` saying where the command looked and how to point it at the sessions when
 * the directory does not exist (or is a file). `create` makes a missing one instead; `canCreate`
 * says whether the command offers `--create`.
 */
export async function requireSessionDir(
  { dir, from }: SessionDir,
  options: { create?: boolean; canCreate?: boolean } = {},
): Promise<{ created: boolean }> {
  const path = resolve(dir);
  const state = await sessionDirState(path, options.create === true);
  if (state === "directory" || state === "created") return { created: state === "created" };
  const shown =
    from === "default"
      ? `${path} (the default: .runtrace in the current directory)`
      : path === dir
        ? path
        : `${path} (${from === "--dir" ? `--dir ${dir}` : `RUNTRACE_DIR=${dir}`})`;
  const fix = "point --dir (or RUNTRACE_DIR) at the directory your program records its sessions in";
  if (state === "not a directory") throw new CliError(`${shown} is not a directory: ${fix}.`);
  const where =
    from === "default"
      ? `A program records its sessions in .runtrace under the directory it runs in: run this command there, or ${fix}`
      : `${fix.charAt(0).toUpperCase()}${fix.slice(1)} (the dir given to rt.jsonlStore; .runtrace by default)`;
  const create = options.canCreate ? `, or add --create to create ${path} and wait for sessions there` : "";
  throw new CliError(`no directory ${shown}. ${where}${create}.`);
}

/** What a command names: its sessions directory, and the session it reads (a file needs no directory). */
export interface DirRequest {
  /** `--dir`, when given. */
  given: string | undefined;
  /** The `<session>` argument: a file path is read where it is, and the directory is not checked. */
  session?: string;
  create?: boolean;
  canCreate?: boolean;
}

/** The directory a command reads, checked (see `requireSessionDir`) unless its session is a file. */
export async function checkedSessionDir(request: DirRequest): Promise<{ dir: string; created: boolean }> {
  const dir = sessionDir(request.given);
  if (request.session !== undefined && isSessionPath(request.session))
    return { dir: dir.dir, created: false };
  const { created } = await requireSessionDir(dir, request);
  return { dir: dir.dir, created };
}
