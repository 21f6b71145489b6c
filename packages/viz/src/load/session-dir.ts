import { mkdir, stat } from "node:fs/promises";

/** A path meant to be a directory of sessions: what is there. */
export type SessionDirState = "directory" | "created" | "missing" | "not a directory";

/**
 * Checks that `dir` (absolute) is a directory; when nothing is there and `create` is set, creates
 * it (and its parents) and says `"created"`.
 */
export async function sessionDirState(dir: string, create: boolean): Promise<SessionDirState> {
  try {
    return (await stat(dir)).isDirectory() ? "directory" : "not a directory";
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
  if (!create) return "missing";
  await mkdir(dir, { recursive: true });
  return "created";
}
