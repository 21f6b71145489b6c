import { CancelledError } from "../../errors.js";
import { readProperty } from "../../internal/safe.js";
import { type PriceTable, type SdkModelCall, startModelCall } from "../model-call.js";
import { countAttempts } from "./attempts.js";
import { isSdkStream, parseOnce, type SdkStream, wrapStream } from "./client-parts.js";
import type { Endpoint, RecordedReply, RequestBody, StreamFollower } from "./endpoint.js";

/** How the requests of one wrapped client are recorded. */
export interface RecordSettings {
  provider: string;
  prices: PriceTable | undefined;
}

type Create = (this: unknown, body: unknown, options?: unknown) => unknown;

/** Runs `fn` for its side effects on the record: a failure to record must not reach the caller. */
function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // Recording is best effort; the request and the caller's result are what matter.
  }
}

function finish(call: SdkModelCall, reply: RecordedReply): unknown {
  quietly(() => {
    call.finished(reply.facts);
    if (reply.attributes !== undefined) call.attributes(reply.attributes);
  });
  return reply.output;
}

function statusOf(error: unknown): number | undefined {
  const status = readProperty(error, "status");
  return typeof status === "number" ? status : undefined;
}

/**
 * The request's options with `signal` also following the call's: when a call above times out or
 * the session is cancelled, the request is aborted, as runtrace's own model requests are.
 */
function withCallSignal(options: unknown, signal: AbortSignal): { options: unknown; signal: AbortSignal } {
  const own = readProperty(options, "signal");
  const combined = own instanceof AbortSignal ? AbortSignal.any([own, signal]) : signal;
  return {
    options: { ...(typeof options === "object" && options !== null ? options : {}), signal: combined },
    signal: combined,
  };
}

const stopped = () => new CancelledError("The reader stopped before the end of the stream");
const aborted = (reason: unknown) => new CancelledError("The request was aborted", reason);

/**
 * Reads a streamed reply as its reader pulls it: each piece goes to the follower, then to the
 * reader. The call ends with the stream: `ok` at its end, `error` when it fails, `cancelled` when
 * the reader stops early (`break`) or the request is aborted (the client then ends the stream
 * quietly, so the stream's `controller` tells).
 */
function followStream(
  stream: SdkStream,
  follower: StreamFollower,
  call: SdkModelCall,
  settle: { ok(output: unknown): void; fail(error: unknown): void },
): void {
  wrapStream(stream, (source) =>
    (async function* read() {
      let ended = false;
      try {
        for await (const piece of { [Symbol.asyncIterator]: () => source }) {
          quietly(() => follower.piece(piece));
          yield piece;
        }
        ended = true;
      } catch (error) {
        quietly(() => {
          const status = statusOf(error);
          if (status !== undefined) call.status(status);
        });
        settle.fail(stream.controller.signal.aborted ? aborted(error) : error);
        throw error;
      } finally {
        if (ended && stream.controller.signal.aborted) settle.fail(aborted(stream.controller.signal.reason));
        else if (ended) settle.ok(finish(call, follower.reply()));
        else settle.fail(stopped());
      }
    })(),
  );
}

/**
 * Follows the client's promise of a reply to the end of the recorded call: a whole reply ends it at
 * once; a stream ends it when the stream ends. Settles with the recorded output, or rejects with
 * what the record shows as the error (the caller gets the client's own error from its promise).
 */
function follow(endpoint: Endpoint, promise: PromiseLike<unknown>, call: SdkModelCall, signal: AbortSignal) {
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const settle = {
      ok(output: unknown) {
        if (!settled) resolve(output);
        settled = true;
      },
      fail(error: unknown) {
        if (!settled) reject(error);
        settled = true;
      },
    };
    // Registered before the caller can await the promise, so the stream is wrapped before the
    // caller reads it.
    promise.then(
      (data) => {
        if (isSdkStream(data)) {
          let follower: StreamFollower | undefined;
          quietly(() => {
            follower = endpoint.follow(call);
          });
          if (follower === undefined) settle.ok(undefined);
          else followStream(data, follower, call, settle);
          return;
        }
        let reply: RecordedReply | undefined;
        quietly(() => {
          reply = endpoint.reply(data);
        });
        settle.ok(reply === undefined ? undefined : finish(call, reply));
      },
      (error) => {
        quietly(() => {
          const status = statusOf(error);
          if (status !== undefined) call.status(status);
        });
        settle.fail(signal.aborted ? aborted(error) : error);
      },
    );
  });
}

/**
 * `create` of one endpoint of a client, recording each request as a model call. The caller gets
 * exactly what the client's own `create` returns (its `APIPromise`, with `withResponse()` and
 * `_thenUnwrap`), and its errors unchanged.
 */
export function recordedCreate(endpoint: Endpoint, create: Create, settings: RecordSettings): Create {
  return function recorded(this: unknown, body: unknown, options?: unknown): unknown {
    let facts: Parameters<typeof startModelCall>[0];
    try {
      const request = endpoint.request(body as RequestBody);
      const model = readProperty(body, "model");
      facts = {
        operation: endpoint.operation,
        model: typeof model === "string" && model !== "" ? model : "unknown",
        provider: settings.provider,
        input: request.input,
        attributes: request.attributes,
      };
    } catch {
      return create.call(this, body, options);
    }
    let returned: { value: unknown } | undefined;
    let thrown: { error: unknown } | undefined;
    let late = false;
    const { started, result } = startModelCall(facts, settings.prices, (call) => {
      // The call could not start at once (the caller had already been answered): no request here.
      if (late) return Promise.reject(new CancelledError("The request was sent before its call started"));
      quietly(() => countAttempts(call));
      const request = withCallSignal(options, call.signal);
      let promise: unknown;
      try {
        promise = create.call(this, body, request.options);
      } catch (error) {
        thrown = { error };
        throw error;
      }
      returned = { value: promise };
      if (
        typeof promise !== "object" ||
        promise === null ||
        typeof (promise as PromiseLike<unknown>).then !== "function"
      )
        return Promise.resolve(undefined);
      quietly(() => parseOnce(promise as object));
      return follow(endpoint, promise as PromiseLike<unknown>, call, request.signal);
    });
    result.catch(() => {
      // The record has the error; the caller gets it from the client's promise.
    });
    if (thrown !== undefined) throw thrown.error;
    if (started && returned !== undefined) return returned.value;
    // The call was cancelled before it started (its session, a timeout above): the request goes
    // out unrecorded, as if it were not wrapped.
    late = true;
    return create.call(this, body, options);
  };
}
