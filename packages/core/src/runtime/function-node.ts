import { describeValue, InvalidOptionsError } from "../errors.js";
import { UNBOUND_METHOD, type UnboundMethod } from "../internal/unbound-method.js";
import type { Node } from "../nodes/node.js";
import { noteLegacyMethod, publishNodeMetadata } from "../nodes/node-metadata.js";
import { register } from "../nodes/node-registry.js";
import { defineNode, type NodeDef, type NodeOptions } from "../nodes/options.js";
import { checkParamNames, paramsFromTypes } from "../nodes/typed-params.js";
import { call } from "./call.js";
import { makeNode } from "./make-node.js";

type AnyFunction = (...args: any[]) => any;

/** `@rt.functionNode(options)`: works as a TC39 decorator and under `experimentalDecorators`. */
export interface NodeMethodDecorator {
  <This, F extends (this: This, ...args: any) => any>(
    method: F,
    context: ClassMethodDecoratorContext<This, F>,
  ): F;
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): any;
}

function isTc39Context(value: unknown): value is ClassMethodDecoratorContext {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === "string" &&
    typeof (value as { addInitializer?: unknown }).addInitializer === "function"
  );
}

function isDescriptor(value: unknown): value is PropertyDescriptor {
  return typeof value === "object" && value !== null && ("value" in value || "get" in value);
}

/**
 * One decorated method: its definition (shared by every instance, so a `concurrency` gate is
 * process-wide) and a bound node per instance, made once and cached.
 */
class DecoratedMethod {
  readonly def: NodeDef;
  #named: boolean;
  #registered = false;
  #published = false;
  readonly #bound = new WeakMap<object, Node>();
  readonly #key: string;
  #className: string | undefined;
  #unbound: AnyFunction | undefined;

  /** `target`: the prototype (or class) an `experimentalDecorators` decorator is given. */
  constructor(
    method: AnyFunction,
    key: string | symbol,
    className: string | undefined,
    options: NodeOptions,
    target?: object,
  ) {
    this.#key = String(key);
    this.#className = className;
    const name = options.name ?? (className === undefined ? this.#key : `${className}.${this.#key}`);
    // Without `params`, the declared parameter types describe the tool (emitDecoratorMetadata).
    const typed =
      target === undefined || options.params !== undefined
        ? undefined
        : paramsFromTypes(
            `Node "${name}"`,
            target,
            key,
            method,
            checkParamNames(`Node "${name}"`, options.paramNames),
          );
    this.def = defineNode(method, name, options, typed);
    this.#named = options.name !== undefined || className !== undefined;
  }

  /** Publishes the method's metadata on the prototype that holds it, once (TC39: at the first instance). */
  publishFor(self: object, key: string | symbol): void {
    if (this.#published) return;
    this.#published = true;
    let holder: object | null = self;
    while (holder !== null && !Object.hasOwn(holder, key)) holder = Object.getPrototypeOf(holder);
    if (holder !== null) publishNodeMetadata(holder, key, this.def);
  }

  /**
   * The method as its class's prototype holds it: not a node (it has no instance to bind), but
   * still traced when called with a `this`, as in `super.method()` or `Svc.prototype.method.call(svc)`.
   */
  unbound(): AnyFunction {
    if (this.#unbound === undefined) {
      const decorated = this;
      const method = function (this: object, ...args: unknown[]) {
        return call(decorated.boundTo(this, classNameOf(this)), ...args);
      };
      const info: UnboundMethod = {
        key: this.#key,
        get className() {
          return decorated.#className;
        },
      };
      Object.defineProperties(method, {
        name: { value: this.#key, configurable: true },
        [UNBOUND_METHOD]: { value: info },
      });
      this.#unbound = method;
    }
    return this.#unbound;
  }

  boundTo(self: object, className: string): Node {
    let node = this.#bound.get(self);
    if (node === undefined) {
      this.#className ??= className;
      if (!this.#named) {
        // A TC39 method decorator cannot see its class; the first instance tells its name.
        (this.def as { name: string }).name = `${className}.${this.def.name}`;
        this.#named = true;
      }
      node = makeNode(this.def, self);
      this.#bound.set(self, node);
      if (!this.#registered) {
        this.#registered = true;
        register(node);
      }
    }
    return node;
  }
}

function classNameOf(self: object): string {
  return typeof self === "function" ? self.name : (self.constructor?.name ?? "Object");
}

/** Whether `self` is a class's prototype (what `Svc.prototype.method` reads a method from). */
function isPrototype(self: object): boolean {
  return (
    Object.hasOwn(self, "constructor") &&
    (self as { constructor?: { prototype?: unknown } }).constructor?.prototype === self
  );
}

function decorateTc39(
  method: AnyFunction,
  context: ClassMethodDecoratorContext,
  options: NodeOptions,
): AnyFunction {
  if (context.kind !== "method") {
    throw new InvalidOptionsError(
      `@rt.functionNode decorates methods, got a ${context.kind} (${String(context.name)}). Decorate a method, or wrap a function with rt.functionNode(fn).`,
    );
  }
  // A TC39 method decorator cannot see its class; the first instance tells its name.
  const decorated = new DecoratedMethod(method, context.name, undefined, options);
  const key = context.name;
  if (!context.private) {
    // Give each instance (or the class, for a static method) its own bound node, so that
    // `rt.call(tools.search, q)` and `const { search } = tools` keep `this`.
    context.addInitializer(function (this: unknown) {
      const self = this as object;
      decorated.publishFor(self, key);
      Object.defineProperty(self, key, {
        value: decorated.boundTo(self, classNameOf(self)),
        writable: true,
        configurable: true,
        enumerable: false,
      });
    });
  }
  // What stays on the prototype (and what a private method is): still traced when called directly.
  return decorated.unbound();
}

function decorateLegacy(
  target: object,
  key: string | symbol,
  descriptor: PropertyDescriptor,
  options: NodeOptions,
): PropertyDescriptor {
  const method: unknown = descriptor.value;
  if (typeof method !== "function") {
    throw new InvalidOptionsError(
      `@rt.functionNode decorates methods, got ${describeValue(method)} at ${String(key)}. Decorate a method, or wrap a function with rt.functionNode(fn).`,
    );
  }
  const className = classNameOf(target);
  const decorated = new DecoratedMethod(method as AnyFunction, key, className, options, target);
  noteLegacyMethod(target, key, decorated.def);
  // A getter on the prototype hands out the instance's bound node: `this` stays intact wherever
  // the method is passed. Read from a prototype itself, there is no instance to bind.
  return {
    configurable: true,
    enumerable: descriptor.enumerable ?? false,
    get(this: object) {
      return isPrototype(this) ? decorated.unbound() : decorated.boundTo(this, className);
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, key, { value, writable: true, configurable: true, enumerable: true });
    },
  };
}

function decoratorFor(options: NodeOptions): NodeMethodDecorator {
  return ((target: any, context: any, descriptor?: PropertyDescriptor) => {
    if (isTc39Context(context)) return decorateTc39(target, context, options);
    if (isDescriptor(descriptor)) return decorateLegacy(target, context, descriptor, options);
    throw new InvalidOptionsError(
      `@rt.functionNode(options) must decorate a class method, got ${describeValue(target)}. To wrap a plain function use rt.functionNode(fn, options).`,
    );
  }) as NodeMethodDecorator;
}

/**
 * Makes a function a node: every call through it (or `rt.call`) is recorded in the call tree.
 *
 * @example
 * ```ts
 * const splitText = rt.functionNode((text: string) => text.split(" "), { kind: "tool" });
 * class Tools {
 *   @rt.functionNode async search(query: string) { ... }
 * }
 * ```
 */
export function functionNode<This, F extends (this: This, ...args: any) => any>(
  method: F,
  context: ClassMethodDecoratorContext<This, F>,
): F;
export function functionNode(
  target: object,
  propertyKey: string | symbol,
  descriptor: PropertyDescriptor,
): any;
export function functionNode<F extends AnyFunction>(
  fn: F,
  options?: NodeOptions,
): Node<Parameters<F>, ReturnType<F>>;
export function functionNode(options: NodeOptions): NodeMethodDecorator;
export function functionNode(...args: any[]): any {
  const [first, second, third] = args;
  if (isTc39Context(second)) return decorateTc39(first, second, {});
  if (args.length === 3 && isDescriptor(third)) return decorateLegacy(first, second, third, {});
  if (typeof first === "function") {
    const options: NodeOptions = second ?? {};
    const name = (options as { name?: unknown })?.name ?? (first.name || "anonymous");
    const node = makeNode(defineNode(first, name as string, options), undefined);
    register(node);
    return node;
  }
  if (args.length === 1 && typeof first === "object" && first !== null) {
    // Check the options now, at definition, not when the first instance is made.
    defineNode(() => undefined, first.name ?? "decorated method", first);
    return decoratorFor(first);
  }
  throw new InvalidOptionsError(
    `rt.functionNode expected a function (optionally with options), an options object (as a decorator), or to decorate a method; got ${describeValue(first)}.`,
  );
}
