import { describeValue, InvalidOptionsError, NotANodeError } from "../errors.js";
import { settledByUs, takeReject, takeResolve } from "../internal/capture.js";
import { type NodeHandle, nodeHandle } from "../nodes/def.js";
import { expectDuration } from "../nodes/option-checks.js";
import { type RetryOption, retryPolicy } from "../nodes/retry-policy.js";
import { checkOptionKeys } from "../option-keys.js";
import { type CallSettings, Execution } from "./execution.js";
import { currentFrame, type Frame } from "./frame.js";
import { Session } from "./session.js";

type Callable<A extends unknown[], R> = (...args: A) => R;

/** Options of `rt.callWith`: they apply to this one call and win over the node's own. */
export interface CallOptions {
  /** The name this call gets in the tree. @default the node's name */
  name?: string;
  timeoutMs?: number;
  retry?: RetryOption;
  /** Cancels this call (and its children) when it aborts. */
  signal?: AbortSignal;
  attributes?: Record<string, unknown>;
}

const CALL_OPTIONS = Object.keys({
  name: true,
  timeoutMs: true,
  retry: true,
  signal: true,
  attributes: true,
} satisfies Record<keyof CallOptions, true>);

function run(
  parent: Frame,
  handle: NodeHandle,
  args: unknown[],
  settings: CallSettings | undefined,
): Promise<unknown> {
  const promise = settledByUs();
  const resolve = takeResolve();
  const reject = takeReject();
  try {
    new Execution(parent, handle, args, settings, resolve, reject).begin();
  } catch (error) {
    // Recording never throws into user code; this is only a last line of defence. What throws here
    // is most likely a stack overflow (the caller's own recursion left no room): reject on a fresh
    // stack, where Node can still track the rejection.
    try {
      queueMicrotask(() => reject(error));
    } catch {
      reject(error);
    }
  }
  return promise;
}

/**
 * Runs a node as a child of the current call (or of the current session). Outside any session it
 * opens one named after the node, which ends when this call settles. Errors thrown by the node are
 * recorded and reach the caller unchanged.
 *
 * @example
 * ```ts
 * const words = await rt.call(splitText, "hello big world");
 * const loud = await Promise.all(words.map((w) => rt.call(shout, w)));
 * ```
 */
export function call<A extends unknown[], R>(node: Callable<A, R>, ...args: A): Promise<Awaited<R>> {
  const handle = nodeHandle(node);
  if (handle === undefined) return Promise.reject(new NotANodeError(node));
  const parent = currentFrame();
  if (parent === undefined) {
    return new Session({ name: handle.def.name }).run(() => call(node, ...args));
  }
  return run(parent, handle, args, undefined) as Promise<Awaited<R>>;
}

function callSettings(options: CallOptions, node: string): CallSettings {
  const where = `rt.callWith for node "${node}"`;
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `${where}: expected options as the first argument, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys(where, options, CALL_OPTIONS);
  if (options.name !== undefined && (typeof options.name !== "string" || options.name === "")) {
    throw new InvalidOptionsError(
      `${where}: expected \`name\` to be a non-empty string, got ${describeValue(options.name)}.`,
    );
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidOptionsError(
      `${where}: expected \`signal\` to be an AbortSignal, got ${describeValue(options.signal)}.`,
    );
  }
  if (
    options.attributes !== undefined &&
    (typeof options.attributes !== "object" || options.attributes === null)
  ) {
    throw new InvalidOptionsError(
      `${where}: expected \`attributes\` to be an object, got ${describeValue(options.attributes)}.`,
    );
  }
  return {
    name: options.name,
    timeoutMs:
      options.timeoutMs === undefined
        ? undefined
        : expectDuration(where, "timeoutMs", options.timeoutMs, true),
    retry: retryPolicy(where, options.retry),
    signal: options.signal,
    attributes: options.attributes,
  };
}

/**
 * `rt.call` with options for this one call: a name, a timeout, a retry policy, an abort signal,
 * attributes.
 *
 * @example
 * ```ts
 * const answer = await rt.callWith({ timeoutMs: 5_000, retry: 3 }, askModel, question);
 * ```
 */
export function callWith<A extends unknown[], R>(
  options: CallOptions,
  node: Callable<A, R>,
  ...args: A
): Promise<Awaited<R>> {
  const handle = nodeHandle(node);
  if (handle === undefined) return Promise.reject(new NotANodeError(node, "rt.callWith"));
  let settings: CallSettings;
  try {
    settings = callSettings(options, handle.def.name);
  } catch (error) {
    return Promise.reject(error);
  }
  const parent = currentFrame();
  if (parent === undefined) {
    return new Session({ name: settings.name ?? handle.def.name }).run(() =>
      callWith(options, node, ...args),
    );
  }
  return run(parent, handle, args, settings) as Promise<Awaited<R>>;
}
