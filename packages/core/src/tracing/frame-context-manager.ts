/**
 * The context manager `setupTracing` registers: OpenTelemetry's context lives in runtrace's frames
 * (runtime/trace-context.ts), so a traced call enters one AsyncLocalStorage instead of two and the
 * process keeps one enabled storage, which every promise pays for on Node 20. Outside runtrace's
 * calls it behaves as the SDK's AsyncLocalStorageContextManager does.
 */
import { EventEmitter } from "node:events";
import { type Context, type ContextManager, ROOT_CONTEXT } from "@opentelemetry/api";
import { currentTraceContext, runWithTraceContext } from "../runtime/trace-context.js";

let enabled = 0;

/** Whether a frame context manager is enabled (registered): sessions then keep contexts in frames. */
export function contextInFrames(): boolean {
  return enabled > 0;
}

const ADD_LISTENER = ["addListener", "on", "once", "prependListener", "prependOnceListener"] as const;
const REMOVE_LISTENER = ["removeListener", "off"] as const;

type Listener = (...args: unknown[]) => unknown;
type Method = (this: unknown, ...args: unknown[]) => unknown;

/** OpenTelemetry's `ContextManager`, keeping the active context in runtrace's frames. */
export class FrameContextManager implements ContextManager {
  #enabled = false;
  /** The bound listeners of each patched emitter, by event and listener (what removal looks up). */
  readonly #patched = new WeakMap<EventEmitter, Map<unknown, WeakMap<Listener, Listener>>>();
  /** True while a patched `once` calls `on` (Node's `once` does): the listener is bound already. */
  #adding = false;

  active(): Context {
    return (currentTraceContext() as Context | undefined) ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const bound = thisArg == null ? fn : (fn.bind(thisArg) as F);
    return runWithTraceContext(context, bound, ...args);
  }

  bind<T>(context: Context, target: T): T {
    if (target instanceof EventEmitter) return this.#bindEmitter(context, target) as T;
    if (typeof target === "function") return this.#bindFunction(context, target as unknown as Listener) as T;
    return target;
  }

  enable(): this {
    if (!this.#enabled) enabled++;
    this.#enabled = true;
    return this;
  }

  disable(): this {
    if (this.#enabled) enabled--;
    this.#enabled = false;
    return this;
  }

  #bindFunction(context: Context, target: Listener): Listener {
    const manager = this;
    const bound = function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => target.apply(this, args));
    };
    Object.defineProperty(bound, "length", { configurable: true, value: target.length });
    return bound;
  }

  /** Listeners added from now on run in `context` (as the SDK's context managers do). */
  #bindEmitter(context: Context, emitter: EventEmitter): EventEmitter {
    if (this.#patched.has(emitter)) return emitter;
    const byEvent = new Map<unknown, WeakMap<Listener, Listener>>();
    this.#patched.set(emitter, byEvent);
    const methods = emitter as unknown as Record<string, Method | undefined>;
    for (const name of ADD_LISTENER) {
      const original = methods[name];
      if (typeof original !== "function") continue;
      const manager = this;
      methods[name] = function (this: unknown, event: unknown, listener: unknown) {
        if (manager.#adding || typeof listener !== "function") return original.call(this, event, listener);
        let bound = byEvent.get(event);
        if (bound === undefined) {
          bound = new WeakMap();
          byEvent.set(event, bound);
        }
        const wrapped = manager.#bindFunction(context, listener as Listener);
        bound.set(listener as Listener, wrapped);
        manager.#adding = true;
        try {
          return original.call(this, event, wrapped);
        } finally {
          manager.#adding = false;
        }
      };
    }
    for (const name of REMOVE_LISTENER) {
      const original = methods[name];
      if (typeof original !== "function") continue;
      methods[name] = function (this: unknown, event: unknown, listener: unknown) {
        const wrapped = byEvent.get(event)?.get(listener as Listener);
        return original.call(this, event, wrapped ?? listener);
      };
    }
    const removeAll = methods.removeAllListeners;
    if (typeof removeAll === "function") {
      methods.removeAllListeners = function (this: unknown, ...args: unknown[]) {
        if (args.length === 0) byEvent.clear();
        else byEvent.delete(args[0]);
        return removeAll.apply(this, args);
      };
    }
    return emitter;
  }
}
