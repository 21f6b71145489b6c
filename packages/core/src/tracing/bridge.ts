/**
 * The OpenTelemetry bridge. Loading this module installs runtrace's tracer factory into the runtime,
 * which is why `rt.inject` lives here: whatever uses runtrace's public barrel loads it (and
 * `package.json` lists it under `sideEffects` for bundlers).
 */
import { context } from "@opentelemetry/api";
import { keepOnce } from "../internal/kept.js";
import { ATTR_SERVICE_NAME } from "../internal/semconv.js";
import { warnOnce } from "../recording/logger.js";
import { mergeAttributes } from "../recording/record.js";
import type { CallRecord } from "../recording/types.js";
import { currentFrame } from "../runtime/frame.js";
import { type CallTracer, setTracerFactory } from "../runtime/tracer-hook.js";
import { registeredService, registeredTracer } from "./provider.js";
import { keptTracer, SessionTracer } from "./session-tracer.js";
import { payloadSettings } from "./settings.js";
import { extractContext, injectContext } from "./w3c.js";

/**
 * Decides, when a session opens, whether it is traced: only when a tracer provider is registered
 * (a cached check, see `registeredTracer`). Its root span continues the trace of `parent` (a W3C
 * carrier from another process) when given, else the span active where the session started (an
 * HTTP server's span, the node of an enclosing session), else it starts a new trace.
 */
export function sessionTracerFactory(
  root: CallRecord,
  parent: Record<string, unknown> | undefined,
): CallTracer | undefined {
  const tracer = registeredTracer();
  if (tracer === undefined) return undefined;
  keepOnce("session tracer", keptTracer);
  try {
    const active = context.active();
    const base = parent === undefined ? active : (extractContext(active, parent) ?? active);
    const session = new SessionTracer(tracer, root, base, payloadSettings());
    if (session.valid) {
      // Stored with the session, so that exports of its file name the same service.
      const service = registeredService();
      if (service !== undefined) mergeAttributes(root, { [ATTR_SERVICE_NAME]: service });
      return session;
    }
    root.traceId = undefined;
    root.spanId = undefined;
  } catch (error) {
    warnOnce("tracing:session", `tracing could not start for a session and is off for it: ${String(error)}`);
  }
  return undefined;
}

setTracerFactory(sessionTracerFactory);

/**
 * Writes the W3C trace context of the current call's span (`traceparent`, and `tracestate` when
 * there is one) into `carrier` and returns it, so that another process can continue this trace
 * with `new rt.Session({ parent: carrier })`. A plain object gets properties; a `Headers`-like
 * object (with `get`/`set`) gets headers. Whatever the global propagator writes (baggage) is added
 * too. Outside a traced session it leaves `carrier` as it is.
 *
 * @example
 * ```ts
 * const callService = rt.functionNode(async (text: string) => {
 *   const headers = rt.inject({ "content-type": "text/plain" });
 *   return (await fetch("http://127.0.0.1:8080/shout", { method: "POST", headers, body: text })).text();
 * });
 * // in the other process:
 * const session = new rt.Session({ name: "POST /shout", parent: req.headers });
 * ```
 */
export function inject<C extends object>(carrier: C): C {
  try {
    const frame = currentFrame();
    const tracer = frame?.session.tracer;
    if (!(tracer instanceof SessionTracer)) return carrier;
    const spanContext = tracer.spanContextOf(frame!.record);
    if (spanContext !== undefined) injectContext(context.active(), spanContext, carrier);
  } catch (error) {
    warnOnce("tracing:inject", `rt.inject could not write the trace context: ${String(error)}`);
  }
  return carrier;
}
