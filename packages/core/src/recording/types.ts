/** What a node is: shown in the tree, and mapped to GenAI span names when tracing. */
export type NodeKind = "function" | "tool" | "llm" | "agent" | "flow";

/**
 * The kind of a record: a node's kind, `"session"` for a session's root record, or `"span"` for an
 * OpenTelemetry span runtrace did not make itself (another library's, or one received over OTLP),
 * recorded with its name, attributes, events and status.
 */
export type RecordKind = NodeKind | "session" | "span";

/**
 * Where a call stands. `running` until it settles; `skipped` is used by flows for steps that never
 * ran because something upstream failed.
 */
export type CallStatus = "running" | "ok" | "error" | "timeout" | "cancelled" | "skipped";

/**
 * A session root's status: a call status, or `interrupted` when a stored session has no end because
 * the process that wrote it died.
 */
export type SessionStatus = CallStatus | "interrupted";

/** An error as recorded: JSON-safe, redacted, and cut like any recorded value. */
export interface RecordedError {
  name: string;
  message: string;
  stack?: string;
  /** The error's `code` property, when it has one (Node system errors, runtrace errors). */
  code?: string;
  /** The recorded `cause`, when the error has one. */
  cause?: RecordedError | unknown;
  /** The recorded `errors`, when the error has them (an `AggregateError`, a `RetryExhaustedError`). */
  errors?: unknown;
}

/** Something that happened during a call: `rt.event`, a `retry`, a streamed token. */
export interface CallEvent {
  name: string;
  /** Epoch milliseconds with sub-millisecond precision. */
  time: number;
  data?: unknown;
}

/** One call (or a session's root) as recorded. */
export interface CallRecord {
  /** Unique within its session. */
  id: string;
  /** The caller's id; `null` for a session's root record. */
  parentId: string | null;
  sessionId: string;
  /** The node's name (the session's name for a root record). */
  node: string;
  kind: RecordKind;
  status: CallStatus | SessionStatus;
  /** Epoch milliseconds with sub-millisecond precision. */
  start: number;
  /** `undefined` while running. */
  end: number | undefined;
  /** The arguments, as a JSON-safe, redacted, size-limited copy (`undefined` when not recorded). */
  input: unknown;
  output: unknown;
  error: RecordedError | undefined;
  /** How many times the function ran (more than 1 with retries). */
  attempts: number;
  events: CallEvent[];
  attributes: Record<string, unknown>;
  traceId: string | undefined;
  spanId: string | undefined;
  /** Children in the order they started. */
  children: CallRecord[];
  /** Milliseconds spent waiting for a concurrency slot before running (when the node has a gate). */
  waitMs?: number;
}
