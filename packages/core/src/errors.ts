/**
 * Every error runtrace throws. Each has a stable `code` so that checks keep working when the package
 * is loaded twice (two copies mean two classes, and `instanceof` fails across them).
 */
import { isInstance, readProperty, textOf } from "./internal/safe.js";

import { unboundMethod } from "./internal/unbound-method.js";

/** Stable codes of runtrace errors. */
export type RuntraceErrorCode =
  | "RUNTRACE_NOT_A_NODE"
  | "RUNTRACE_INVALID_OPTIONS"
  | "RUNTRACE_VALIDATION"
  | "RUNTRACE_SESSION"
  | "RUNTRACE_TIMEOUT"
  | "RUNTRACE_CANCELLED"
  | "RUNTRACE_CALL_DEPTH"
  | "RUNTRACE_RETRY_EXHAUSTED"
  | "RUNTRACE_STORE"
  | "RUNTRACE_READ"
  | "RUNTRACE_FLOW_DEFINITION"
  | "RUNTRACE_FLOW_STEPS_FAILED"
  | "RUNTRACE_AGENT_LOOP"
  | "RUNTRACE_MODEL"
  | "RUNTRACE_MCP";

/** The base of every runtrace error. */
export class RuntraceError extends Error {
  override name = "RuntraceError";
  readonly code: RuntraceErrorCode;

  constructor(code: RuntraceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Describes a received value for an error message: `0 (number)`, `"abc" (string)`, `[Function f]`. */
export function describeValue(value: unknown): string {
  try {
    return describe(value);
  } catch {
    // A Proxy whose traps throw, a revoked Proxy, a throwing `constructor` or `name` getter.
    return `an unreadable ${typeof value}`;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
    return `${JSON.stringify(shown)} (string)`;
  }
  if (typeof value === "bigint") return `${value}n (bigint)`;
  if (typeof value === "symbol") return `${String(value)} (symbol)`;
  if (typeof value === "object") {
    if (Array.isArray(value)) return `an array of ${value.length}`;
    const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
    return ctor && ctor !== "Object" ? `a ${ctor} object` : "an object";
  }
  return `${String(value)} (${typeof value})`;
}

/**
 * The fix for a method decorated with `@rt.functionNode` but read from its class's prototype
 * (`Svc.prototype.search`) where a node was expected; `undefined` for anything else. `use(ref)`
 * writes the corrected code with `ref` in the node's place.
 */
export function unboundMethodFix(received: unknown, use: (ref: string) => string): string | undefined {
  const method = unboundMethod(received);
  if (method === undefined) return undefined;
  const { key, className } = method;
  const cls = className ?? "YourClass";
  let instance = className === undefined ? "instance" : `${cls.charAt(0).toLowerCase()}${cls.slice(1)}`;
  if (instance === cls) instance = `a${cls}`;
  return (
    `It is the method ${key} read from its class's prototype (${cls}.prototype.${key}): @rt.functionNode made it a node ` +
    `on each instance, so that \`this\` is that instance. Call it on an instance: ` +
    `${use(`new ${cls}().${key}`)}, or ${use(`${instance}.${key}`)} with an instance you have.`
  );
}

/** `rt.call` (or a helper taking nodes) received something that is not a node. */
export class NotANodeError extends RuntraceError {
  override name = "NotANodeError";
  readonly received: unknown;

  /** `where` is the function that was given `received`; `args` how its other arguments are written. */
  constructor(received: unknown, where = "rt.call", args = "...args") {
    const fix =
      unboundMethodFix(received, (ref) => `${where}(${ref}, ${args})`) ??
      (typeof received === "function"
        ? `Wrap it first: const node = rt.functionNode(${received.name || "fn"}); then ${where}(node, ${args}).`
        : `Pass a node made with rt.functionNode(fn), a decorated method (@rt.functionNode), rt.flow or rt.llmNode.`);
    super("RUNTRACE_NOT_A_NODE", `${where} expected a node, got ${describeValue(received)}. ${fix}`);
    this.received = received;
  }
}

/** Options given to a node, a call or a helper are not valid. Thrown at definition time. */
export class InvalidOptionsError extends RuntraceError {
  override name = "InvalidOptionsError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("RUNTRACE_INVALID_OPTIONS", message, options);
  }
}

/** Arguments (or a return value) failed a node's `params` (or `returns`) schema. */
export class ValidationError extends RuntraceError {
  override name = "ValidationError";
  /** The node's name. */
  readonly node: string;
  /** The parameter's name, or `"return value"`. */
  readonly parameter: string;
  /** The schema library's issues, as it reported them. */
  readonly issues: readonly unknown[];

  constructor(node: string, parameter: string, detail: string, issues: readonly unknown[]) {
    super(
      "RUNTRACE_VALIDATION",
      `Invalid ${parameter === "return value" ? "return value" : `argument "${parameter}"`} for node "${node}": ${detail}`,
    );
    this.node = node;
    this.parameter = parameter;
    this.issues = issues;
  }
}

/** A session was used the wrong way (run twice, for example). */
export class SessionError extends RuntraceError {
  override name = "SessionError";

  constructor(message: string) {
    super("RUNTRACE_SESSION", message);
  }
}

/** A call (or a session) ran past its `timeoutMs`. */
export class NodeTimeoutError extends RuntraceError {
  override name = "NodeTimeoutError";
  readonly node: string;
  readonly timeoutMs: number;

  constructor(node: string, timeoutMs: number, what = "Node") {
    super("RUNTRACE_TIMEOUT", `${what} "${node}" timed out after ${timeoutMs} ms (timeoutMs: ${timeoutMs}).`);
    this.node = node;
    this.timeoutMs = timeoutMs;
  }
}

/** A call stopped because its session, its parent or its `signal` was cancelled. */
export class CancelledError extends RuntraceError {
  override name = "CancelledError";
  /** What the cancelling side gave as its reason. */
  readonly reason: unknown;

  constructor(message: string, reason?: unknown) {
    super("RUNTRACE_CANCELLED", message, isInstance(reason, Error) ? { cause: reason } : undefined);
    this.reason = reason;
  }
}

/**
 * A call was nested deeper than runtrace follows ({@link CallDepthError.limit} calls, each inside
 * the one before): almost always a node that calls itself without end.
 */
export class CallDepthError extends RuntraceError {
  override name = "CallDepthError";
  readonly node: string;
  readonly limit: number;

  constructor(node: string, limit: number) {
    super(
      "RUNTRACE_CALL_DEPTH",
      `Call "${node}" would be nested ${limit + 1} calls deep; runtrace follows at most ${limit}. A node probably calls itself without end: give the recursion a base case, or turn it into a loop.`,
    );
    this.node = node;
    this.limit = limit;
  }
}

/** Every attempt allowed by `retry` failed. `errors` holds each attempt's error, in order. */
export class RetryExhaustedError extends RuntraceError {
  override name = "RetryExhaustedError";
  readonly node: string;
  readonly errors: readonly unknown[];

  constructor(node: string, errors: readonly unknown[]) {
    const last = errors[errors.length - 1];
    super(
      "RUNTRACE_RETRY_EXHAUSTED",
      `Node "${node}" failed ${errors.length} attempts; last error: ${textOf(last)}`,
      { cause: last },
    );
    this.node = node;
    this.errors = errors;
  }
}

/** A stored session could not be read (missing file, not a runtrace file). */
export class ReadError extends RuntraceError {
  override name = "ReadError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("RUNTRACE_READ", message, options);
  }
}

// The guards below take any thrown value, hostile ones included, and never throw themselves.

function hasCode(error: unknown, code: RuntraceErrorCode): boolean {
  return typeof error === "object" && readProperty(error, "code") === code;
}

/** True for any runtrace error, also one from another copy of the package. */
export function isRuntraceError(error: unknown): error is RuntraceError {
  if (isInstance(error, RuntraceError)) return true;
  const code = typeof error === "object" ? readProperty(error, "code") : undefined;
  return typeof code === "string" && code.startsWith("RUNTRACE_");
}

/** True when a call ended because it was cancelled. */
export function isCancelledError(error: unknown): error is CancelledError {
  return isInstance(error, CancelledError) || hasCode(error, "RUNTRACE_CANCELLED");
}

/** True when a call ended because it timed out. */
export function isTimeoutError(error: unknown): error is NodeTimeoutError {
  return isInstance(error, NodeTimeoutError) || hasCode(error, "RUNTRACE_TIMEOUT");
}

/**
 * A flow's steps do not form a valid graph: a cycle (the message shows its path), a dependency on a
 * step that does not exist, a step defined twice, or a step that is not a node. Thrown when the flow
 * is defined (`rt.flow`, `rt.flow.fromPaths`, `rt.flowFromJSON`), never while it runs.
 */
export class FlowDefinitionError extends RuntraceError {
  override name = "FlowDefinitionError";
  /** The flow's name. */
  readonly flow: string;
  /** The steps involved (for a cycle, its path, first step repeated at the end). */
  readonly steps: readonly string[];

  constructor(flow: string, message: string, steps: readonly string[] = []) {
    super("RUNTRACE_FLOW_DEFINITION", message);
    this.flow = flow;
    this.steps = steps;
  }
}

/**
 * An agent used all its `maxTurns` model turns and the model still asked for tools. Recorded on the
 * agent's call; raise `maxTurns` or steer the model to answer sooner.
 */
export class AgentLoopError extends RuntraceError {
  override name = "AgentLoopError";
  /** The agent's name. */
  readonly agent: string;
  readonly maxTurns: number;
  /** The tools the model asked for in its last turn. */
  readonly pendingTools: readonly string[];

  constructor(agent: string, maxTurns: number, pendingTools: readonly string[]) {
    const asked = pendingTools.length > 0 ? ` and the model still asked for ${pendingTools.join(", ")}` : "";
    super(
      "RUNTRACE_AGENT_LOOP",
      `Agent "${agent}" used all ${maxTurns} turns (maxTurns: ${maxTurns})${asked}. Raise maxTurns in rt.agentNode({ maxTurns }), or tell the model in \`system\` when to stop calling tools.`,
    );
    this.agent = agent;
    this.maxTurns = maxTurns;
    this.pendingTools = pendingTools;
  }
}

/**
 * A model request failed: an HTTP error status, a timeout, a network failure, a reply that could not
 * be read, or a scripted model with no reply left. Carries the status, the endpoint and a short
 * excerpt of the response body; never the API key.
 */
export class ModelError extends RuntraceError {
  override name = "ModelError";
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** The endpoint requested (no credentials, no query string). */
  readonly endpoint: string;
  /** The first few hundred characters of the response body, with the key removed. */
  readonly body: string | undefined;
  /** How long the server asked to wait before retrying, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    details: {
      endpoint: string;
      status?: number;
      body?: string;
      retryAfterMs?: number;
      cause?: unknown;
    },
  ) {
    super("RUNTRACE_MODEL", message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.endpoint = details.endpoint;
    this.body = details.body;
    this.retryAfterMs = details.retryAfterMs;
  }
}
