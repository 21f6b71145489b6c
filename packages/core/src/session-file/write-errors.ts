/**
 * What the JSONL store says of a directory that refuses writes: which errors a retry cannot cure,
 * and the words its warnings use. Shared by the session files' writer and the segments'.
 */

/** Errors a retry cannot cure: the directory is reported once and nothing more is written there. */
export const PERMANENT = new Set(["EACCES", "EPERM", "EROFS", "ENOTDIR", "EISDIR", "ENAMETOOLONG", "ELOOP"]);

export const ADVICE: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOTDIR: "a part of the path is a file, not a directory",
  EISDIR: "a session file's name is taken by a directory",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
};

/** The error's code (`ENOSPC`, ...), or the error itself as text. */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : String(error);
}

export function count(n: number, one: string): string {
  return `${n.toLocaleString("en-US")} ${one}${n === 1 ? "" : "s"}`;
}
