import { describeValue, InvalidOptionsError } from "../errors.js";
import type { NodeKind } from "../recording/types.js";
import { nodeHandle } from "./def.js";
import type { Node } from "./node.js";
import type { NodeDef } from "./options.js";
import type { JsonSchemaObject } from "./schema.js";

/**
 * The reflect-metadata key under which a decorated method's node is described, so that frameworks
 * can discover decorated methods: `Reflect.getMetadata(rt.NODE_METADATA, Class.prototype, "search")`.
 * Written when reflect-metadata is loaded (under TC39 decorators, once the class's first instance
 * is made).
 */
export const NODE_METADATA = "runtrace:node";

/** What `Reflect.getMetadata(rt.NODE_METADATA, prototype, key)` gives for a decorated method. */
export interface NodeMetadata {
  /** The method's property key. */
  readonly key: string | symbol;
  readonly name: string;
  readonly kind: NodeKind;
  readonly description: string | undefined;
  /** The JSON Schema of its parameters, when they are described (`params`, or declared types). */
  readonly parameters: JsonSchemaObject | undefined;
}

// Keys of methods decorated under `experimentalDecorators`, per prototype (or class, when static):
// their nodes are handed out by getters there.
const legacyKeys = new WeakMap<object, Set<string | symbol>>();

/** Notes a method decorated under `experimentalDecorators` and publishes its metadata. */
export function noteLegacyMethod(target: object, key: string | symbol, def: NodeDef): void {
  let keys = legacyKeys.get(target);
  if (keys === undefined) {
    keys = new Set();
    legacyKeys.set(target, keys);
  }
  keys.add(key);
  publishNodeMetadata(target, key, def);
}

/** Writes a decorated method's description under `NODE_METADATA` when reflect-metadata is loaded. */
export function publishNodeMetadata(target: object, key: string | symbol, def: NodeDef): void {
  const define = (
    Reflect as { defineMetadata?: (k: string, v: unknown, t: object, p: string | symbol) => void }
  ).defineMetadata;
  if (typeof define !== "function") return;
  let parameters: JsonSchemaObject | undefined;
  const metadata: NodeMetadata = {
    key,
    // Read when asked: a TC39-decorated method learns its class's name from the first instance.
    get name() {
      return def.name;
    },
    kind: def.kind,
    description: def.description,
    get parameters() {
      parameters ??= def.params?.jsonSchema();
      return parameters;
    },
  };
  try {
    define(NODE_METADATA, metadata, target, key);
  } catch {
    // A Reflect polyfill that refuses this target: discovery through toolsOf still works.
  }
}

/**
 * An instance's decorated methods as nodes bound to it, in both decorator modes, ready to give an
 * agent: `rt.agentNode({ name, model, tools: rt.toolsOf(new SearchTools()) })`. Methods of base
 * classes are included; a method a subclass decorates again is listed once. Pass a class to get
 * its decorated static methods.
 *
 * @example
 * ```ts
 * class SearchTools {
 *   @rt.functionNode({ kind: "tool", description: "Search the web" })
 *   async search(query: string) { return [`result for ${query}`]; }
 * }
 * const tools = rt.toolsOf(new SearchTools()); // [search]
 * ```
 */
export function toolsOf(instance: object): Node[] {
  if ((typeof instance !== "object" && typeof instance !== "function") || instance === null) {
    throw new InvalidOptionsError(
      `rt.toolsOf expected an instance of a class with @rt.functionNode methods, got ${describeValue(instance)}.`,
    );
  }
  const found = new Map<string | symbol, Node>();
  // TC39 decorators give each instance its bound nodes as own properties.
  for (const key of Reflect.ownKeys(instance)) {
    const value = Object.getOwnPropertyDescriptor(instance, key)?.value;
    if (nodeHandle(value)?.self === instance) found.set(key, value as Node);
  }
  // `experimentalDecorators` puts a getter on the prototype that hands out the bound node.
  for (let proto = Object.getPrototypeOf(instance); proto !== null; proto = Object.getPrototypeOf(proto)) {
    for (const key of legacyKeys.get(proto) ?? []) {
      if (found.has(key)) continue;
      const value = (instance as Record<string | symbol, unknown>)[key];
      if (nodeHandle(value) !== undefined) found.set(key, value as Node);
    }
  }
  if (typeof instance === "function") {
    for (const key of legacyKeys.get(instance) ?? []) {
      const value = (instance as unknown as Record<string | symbol, unknown>)[key];
      if (!found.has(key) && nodeHandle(value) !== undefined) found.set(key, value as Node);
    }
  }
  return [...found.values()];
}
