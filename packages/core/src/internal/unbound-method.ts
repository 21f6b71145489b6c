/**
 * Marks what a decorated method leaves on its class's prototype. It is not a node: a decorated
 * method becomes one on each instance (`svc.search`), so `rt.call(Svc.prototype.search)` has no
 * `this` to run with, and its error says to call the method on an instance.
 */
export const UNBOUND_METHOD = Symbol.for("runtrace.unboundMethod");

/** A decorated method read from a prototype: its key and, once known, its class's name. */
export interface UnboundMethod {
  readonly key: string;
  /** Known at decoration under `experimentalDecorators`, after the first instance under TC39. */
  readonly className: string | undefined;
}

/** The decorated method `value` is, when it was read from a prototype rather than an instance. */
export function unboundMethod(value: unknown): UnboundMethod | undefined {
  return typeof value === "function"
    ? (value as { [UNBOUND_METHOD]?: UnboundMethod })[UNBOUND_METHOD]
    : undefined;
}
