import { CancelledError, describeValue, InvalidOptionsError, NotANodeError } from "../errors.js";
import { nodeHandle } from "../nodes/def.js";
import type { Node } from "../nodes/node.js";
import { checkOptionKeys } from "../option-keys.js";
import { callWith } from "../runtime/call.js";
import { currentFrame, storage } from "../runtime/frame.js";
import { Session } from "../runtime/session.js";
import { offerSink, TokenSink } from "./token-sink.js";

/** Options of `rt.stream`. */
export interface StreamOptions {
  /** Stops the stream (the call ends `cancelled`, the request is aborted) when it aborts. */
  signal?: AbortSignal;
  /** The call's name in the tree. @default the node's name */
  name?: string;
}

/** The text of a streamed call, piece by piece. Stopping early (`break`) cancels the call. */
export interface TokenStream extends AsyncIterableIterator<string> {
  /** Stops the call (recorded `cancelled`) and resolves once it has ended. */
  return(): Promise<IteratorResult<string, undefined>>;
}

function asText(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Runs `node` with `input` as a child of the current call (or in its own session outside one) and
 * yields its text as it arrives. LLM and agent nodes stream their model's reply; any other node
 * yields its whole output once it is done. Each piece is also a `token` event on the call. The call
 * ends when the reply is complete, when it fails (the error is thrown to the reader after the text
 * received so far), or when the reader stops early or `signal` aborts: then it is recorded
 * `cancelled` and the model request is aborted. It is started by the first `next()`. Throws
 * `NotANodeError` at once when `node` is not a node.
 *
 * @example
 * ```ts
 * for await (const token of rt.stream(agent, "Plan a day in Rome")) process.stdout.write(token);
 * ```
 */
export function stream(node: Node<any, unknown>, input: unknown, options: StreamOptions = {}): TokenStream {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `rt.stream expected options { signal?, name? }, got ${describeValue(options)}.`,
    );
  }
  if (nodeHandle(node) === undefined) throw new NotANodeError(node, "rt.stream", "input");
  checkOptionKeys(
    "rt.stream",
    options,
    Object.keys({ signal: true, name: true } satisfies Record<keyof StreamOptions, true>),
  );
  const frame = currentFrame();
  const sink = new TokenSink();
  const controller = new AbortController();
  let started = false;
  let finished = false;
  let failure: { error: unknown } | undefined;
  let settled: Promise<void> | undefined;
  const external = options.signal;
  const onAbort = () => controller.abort(external!.reason);

  const begin = (): Promise<unknown> => {
    const parent = currentFrame()!;
    return offerSink(sink, parent.record.id, () =>
      callWith({ signal: controller.signal, ...(options.name ? { name: options.name } : {}) }, node, input),
    );
  };
  const start = () => {
    started = true;
    external?.addEventListener("abort", onAbort, { once: true });
    if (external?.aborted) onAbort();
    const running =
      frame === undefined
        ? new Session({ name: options.name ?? (node as { name?: string }).name ?? "stream" }).run(begin)
        : storage.run(frame, begin);
    settled = running.then(
      (output) => {
        // A node that does not stream gives its whole output as one piece.
        if (!sink.attached) sink.push(asText(output));
      },
      (error) => {
        failure = { error };
      },
    );
    settled = settled.then(() => {
      external?.removeEventListener("abort", onAbort);
      sink.close();
    });
  };

  const iterator: TokenStream = {
    async next(): Promise<IteratorResult<string, undefined>> {
      if (!started) start();
      while (true) {
        const text = sink.take();
        if (text !== undefined) return { value: text, done: false };
        if (sink.closed) {
          // The sink closes only after the call has settled and `failure` is known.
          if (!finished) {
            finished = true;
            if (failure !== undefined) throw failure.error;
          }
          return { value: undefined, done: true };
        }
        await sink.wait();
      }
    },
    async return(): Promise<IteratorResult<string, undefined>> {
      if (started && !finished) {
        controller.abort(new CancelledError("The reader of rt.stream stopped before the end"));
        sink.close();
        await settled;
      }
      finished = true;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
