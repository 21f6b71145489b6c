import { resolve } from "node:path";
import { sessionDirState } from "../load/session-dir.js";
import { CliError } from "./errors.js";

/** A command's directory of sessions and where it came from, for messages that say what to change. */
export interface SessionDir {
  /** As given (`--dir`, `$RUNTRACE_DIR`, or `.runtrace`). */
  readonly dir: string;
  readonly from: "--dir" | "RUNTRACE_DIR" | "default";
}

/** Whether a `<session>` argument is a file path (then no directory is looked in) rather than an id. */
export function isSessionPath(ref: string): boolean {
  return ref.endsWith(".jsonl") || ref.includes("/") || ref.includes("\\");
}

/** The directory of sessions from `--dir`, else `$RUNTRACE_DIR`, else `.runtrace`. */
export function sessionDir(given: string | undefined): SessionDir {
  if (given !== undefined) return { dir: given, from: "--dir" };
  const env = process.env.RUNTRACE_DIR;
  if (env !== undefined && env !== "") return { dir: env, from: "RUNTRACE_DIR" };
  return { dir: ".runtrace", from: "default" };
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
