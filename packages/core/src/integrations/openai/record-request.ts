import { readProperty } from "../../internal/safe.js";
import { type PriceTable, type SdkModelCall, startModelCall } from "../model-call.js";
import { abortedRequest, quietly, readReply, stoppedReading, withSignal } from "../reply.js";
import { countAttempts } from "./attempts.js";
import { isSdkStream, parseOnce, type SdkStream, wrapStream } from "./client-parts.js";
import type { Endpoint, RequestBody, StreamFollower } from "./endpoint.js";

/** How the requests of one wrapped client are recorded. */
export interface RecordSettings {
  provider: string;
  prices: PriceTable | undefined;
}

type Create = (this: unknown, body: unknown, options?: unknown) => unknown;

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
        call.failed(error);
        settle.fail(stream.controller.signal.aborted ? abortedRequest(error) : error);
        throw error;
      } finally {
        const aborted = stream.controller.signal;
        if (ended && aborted.aborted) settle.fail(abortedRequest(aborted.reason));
        else if (ended) settle.ok(call.replied(readReply(() => follower.reply())));
        else settle.fail(stoppedReading());
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
    // The first of these settles the call; later ones (a `finally` after a `catch`) change nothing.
    const settle = { ok: resolve, fail: reject };
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
        settle.ok(call.replied(readReply(() => endpoint.reply(data))));
      },
      (error) => {
        call.failed(error);
        settle.fail(signal.aborted ? abortedRequest(error) : error);
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
    const { started, result } = startModelCall(facts, settings.prices, (call) => {
      quietly(() => countAttempts(call));
      const request = withSignal(options, "signal", call.signal);
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
    // The call could not start (its session was cancelled): the request goes out unrecorded.
    return create.call(this, body, options);
  };
}
