import type { ZodType } from "zod";
import { describeValue, InvalidOptionsError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";

/** Options of `@rt.field`. */
export interface FieldOptions {
  /** What the property holds; shown to models in the tool's JSON Schema. */
  description?: string;
  /** The property may be left out. @default false */
  optional?: boolean;
  /**
   * The property's schema. @default read from its declared type (`design:type`, with
   * `emitDecoratorMetadata` and reflect-metadata); a type it cannot read accepts anything
   */
  schema?: ZodType;
}

/** A described property of a class. */
export interface FieldSpec extends FieldOptions {
  readonly key: string;
  /** The declared type as `emitDecoratorMetadata` records it (`String`, a class, ...), when known. */
  readonly type: unknown;
}

const OPTIONS = Object.keys({
  description: true,
  optional: true,
  schema: true,
} satisfies Record<keyof FieldOptions, true>);

// Legacy decorators see the class's prototype; TC39 ones its metadata object (`Symbol.metadata`).
const byPrototype = new WeakMap<object, FieldSpec[]>();
const FIELDS = Symbol.for("runtrace.fields");

/** What `Reflect.getMetadata` gives, when reflect-metadata is loaded. */
export function reflectMetadata(key: string, target: object, property?: string | symbol): unknown {
  const get = (Reflect as { getMetadata?: (k: string, t: object, p?: string | symbol) => unknown })
    .getMetadata;
  if (typeof get !== "function") return undefined;
  try {
    return property === undefined ? get(key, target) : get(key, target, property);
  } catch {
    return undefined;
  }
}

function checked(options: FieldOptions): FieldOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(
      `@rt.field expected options { description?, optional?, schema? }, got ${describeValue(options)}.`,
    );
  }
  checkOptionKeys("@rt.field", options, OPTIONS);
  if (options.description !== undefined && typeof options.description !== "string") {
    throw new InvalidOptionsError(
      `@rt.field: expected \`description\` to be a string, got ${describeValue(options.description)}.`,
    );
  }
  const schema = options.schema as { safeParse?: unknown } | undefined;
  if (schema !== undefined && typeof schema?.safeParse !== "function") {
    throw new InvalidOptionsError(
      `@rt.field: expected \`schema\` to be a zod schema, got ${describeValue(schema)}.`,
    );
  }
  return options;
}

function isTc39FieldContext(value: unknown): value is ClassFieldDecoratorContext {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "field";
}

/**
 * Describes a property of a class, so that a method parameter of that class type gets a JSON
 * Schema (for models) and validation. With `experimentalDecorators` + `emitDecoratorMetadata` and
 * reflect-metadata loaded, the property's declared type is read too (`string`, `number`,
 * `boolean`, arrays, other described classes); `schema` says it where types cannot.
 *
 * @example
 * ```ts
 * class Booking {
 *   @rt.field({ description: "IATA code of the destination" }) destination!: string;
 *   @rt.field({ description: "nights to stay", optional: true }) nights?: number;
 * }
 * ```
 */
export function field(options: FieldOptions = {}): (target: unknown, context: unknown) => void {
  const spec = checked(options);
  return (target, context) => {
    if (isTc39FieldContext(context)) {
      if (typeof context.name !== "string") return;
      const metadata = context.metadata as Record<symbol, FieldSpec[] | undefined> | undefined;
      if (metadata === undefined) return;
      if (!Object.hasOwn(metadata, FIELDS)) metadata[FIELDS] = [...(metadata[FIELDS] ?? [])];
      metadata[FIELDS]!.push({ ...spec, key: context.name, type: undefined });
      return;
    }
    if (typeof target !== "object" || target === null || typeof context !== "string") {
      throw new InvalidOptionsError(
        `@rt.field decorates a class property, got ${describeValue(context)}. Put it on a property: @rt.field({ description }) name!: string;`,
      );
    }
    let fields = byPrototype.get(target);
    if (fields === undefined) {
      fields = [];
      byPrototype.set(target, fields);
    }
    fields.push({ ...spec, key: context, type: reflectMetadata("design:type", target, context) });
  };
}

/** The described properties of a class (its own and its base classes'), or none. */
export function fieldsOf(cls: Function): FieldSpec[] {
  const out = new Map<string, FieldSpec>();
  const chain: object[] = [];
  for (
    let proto: object | null = cls.prototype;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  )
    chain.unshift(proto);
  for (const proto of chain) for (const spec of byPrototype.get(proto) ?? []) out.set(spec.key, spec);
  const metadataKey = (Symbol as { metadata?: symbol }).metadata ?? Symbol.for("Symbol.metadata");
  const metadata = (cls as unknown as Record<symbol, Record<symbol, FieldSpec[] | undefined> | undefined>)[
    metadataKey
  ];
  for (const spec of metadata?.[FIELDS] ?? []) out.set(spec.key, spec);
  return [...out.values()];
}
