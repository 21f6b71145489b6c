import { createRequire } from "node:module";
import { type Tracer, type TracerProvider, trace } from "@opentelemetry/api";

/** The instrumentation scope of runtrace's spans (`otel.scope.name` in Jaeger). */
export const TRACER_NAME = "@runtrace/core";

function packageVersion(): string | undefined {
  try {
    // dist/tracing/ and src/tracing/ both sit two levels under the package's root.
    const pkg = createRequire(import.meta.url)("../../package.json") as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/** `@runtrace/core`'s version (`otel.scope.version`). */
export const TRACER_VERSION = packageVersion();

/**
 * What the API's global tracer provider is: a `ProxyTracerProvider` whose delegate is the one the
 * application registered, or the API's no-op provider when none is. (Duck-typed: the proxy class is
 * deprecated for the API's next major, and another copy of the API has its own class.)
 */
interface DelegatingProvider extends TracerProvider {
  getDelegate?(): TracerProvider;
  getDelegateTracer?(name: string, version?: string): Tracer | undefined;
}

// Nothing has been seen yet: the first look always resolves.
const UNSEEN = Symbol("unseen");
let seen: unknown = UNSEEN;
let cached: Tracer | undefined;
let cachedService: string | undefined;

/** The `service.name` of the providers `setupTracing` made. */
const services = new WeakMap<object, string>();

/** Remembers the service a provider exports as (`setupTracing`, before it registers the provider). */
export function nameService(provider: object, serviceName: string): void {
  services.set(provider, serviceName);
}

/**
 * The service the registered provider exports as, when `setupTracing` made it (an application's own
 * provider keeps its resource to itself). Read after {@link registeredTracer}, which resolves it.
 */
export function registeredService(): string | undefined {
  return cachedService;
}

/**
 * runtrace's tracer from the registered tracer provider, or `undefined` when no provider is
 * registered. Called once per session, never per call. The answer is cached for as long as the
 * registered provider stays the same object, so the check costs two property reads; registering,
 * replacing or disabling (`trace.disable()`) a provider changes that object and is seen at the next
 * session.
 */
export function registeredTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider() as DelegatingProvider;
  const delegate = typeof provider.getDelegate === "function" ? provider.getDelegate() : provider;
  if (delegate === seen) return cached;
  seen = delegate;
  cachedService = typeof delegate === "object" && delegate !== null ? services.get(delegate) : undefined;
  cached =
    typeof provider.getDelegateTracer === "function"
      ? provider.getDelegateTracer(TRACER_NAME, TRACER_VERSION)
      : provider.getTracer(TRACER_NAME, TRACER_VERSION);
  return cached;
}

/** Forgets the cached answer (tests, and the bench's "tracing off" switch). */
export function forgetProvider(): void {
  seen = UNSEEN;
  cached = undefined;
  cachedService = undefined;
}
