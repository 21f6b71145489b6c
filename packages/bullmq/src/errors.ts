/**
 * The errors of @runtrace/bullmq. Each has a stable `code`, so checks keep working when the package
 * is loaded twice (two copies mean two classes, and `instanceof` fails across them).
 */

/** Stable codes of @runtrace/bullmq errors. */
export type RemoteErrorCode =
  | "RUNTRACE_REDIS_UNREACHABLE"
  | "RUNTRACE_REMOTE_ARGUMENT"
  | "RUNTRACE_REMOTE_FAILED"
  | "RUNTRACE_REMOTE_UNKNOWN_NODE"
  | "RUNTRACE_REMOTE_NOT_A_CALL";

/** The base of every @runtrace/bullmq error. */
export class RemoteError extends Error {
  override name = "RemoteError";
  readonly code: RemoteErrorCode;

  constructor(code: RemoteErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Redis did not answer at the connection's address: nothing was queued, nothing was started. */
export class RedisUnreachableError extends RemoteError {
  override name = "RedisUnreachableError";
  /** The address tried, `host:port`. */
  readonly address: string;

  constructor(address: string, message: string, cause: unknown) {
    super("RUNTRACE_REDIS_UNREACHABLE", message, { cause });
    this.address = address;
  }
}

/** An argument of a remote call that JSON cannot carry: nothing was queued. */
export class RemoteArgumentError extends RemoteError {
  override name = "RemoteArgumentError";

  constructor(message: string) {
    super("RUNTRACE_REMOTE_ARGUMENT", message);
  }
}

/** The error a remote call's last attempt failed with on its worker, as recorded there. */
export interface WorkerError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

/** A remote call failed: its worker's error, after the job's last attempt. */
export class RemoteCallError extends RemoteError {
  override name = "RemoteCallError";
  /** The worker's error (its name, message and stack there). */
  readonly remote: WorkerError;
  /** The BullMQ job's id. */
  readonly jobId: string;
  /** How many times the job ran (attempts, runs after a lost worker included). */
  readonly attempts: number;

  constructor(message: string, remote: WorkerError, jobId: string, attempts: number) {
    super("RUNTRACE_REMOTE_FAILED", message);
    this.remote = remote;
    this.jobId = jobId;
    this.attempts = attempts;
  }
}

const CODES: ReadonlySet<string> = new Set<RemoteErrorCode>([
  "RUNTRACE_REDIS_UNREACHABLE",
  "RUNTRACE_REMOTE_ARGUMENT",
  "RUNTRACE_REMOTE_FAILED",
  "RUNTRACE_REMOTE_UNKNOWN_NODE",
  "RUNTRACE_REMOTE_NOT_A_CALL",
]);

/** True for any @runtrace/bullmq error (checks `code`, so it holds across two copies of the package). */
export function isRemoteError(error: unknown): error is RemoteError {
  return error instanceof Error && CODES.has(String((error as { code?: unknown }).code));
}
