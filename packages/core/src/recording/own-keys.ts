import { types } from "node:util";

/** The keys of an object that a record keeps, and how many it has in all. */
export interface KeyList {
  /** Its first own enumerable string keys, in `Object.keys` order, at most the limit asked for. */
  keys: string[];
  /** How many own enumerable string keys it has; `undefined` when there are more, not counted. */
  total: number | undefined;
}

/**
 * Objects with more keys than this have their first keys kept (weakly): V8 has no way to list only
 * the first keys of an object (`Object.keys`, `for...in` and `Reflect.ownKeys` all build the whole
 * list first, about 0.5 µs a key), so recording the same big object again reuses the first listing.
 */
const LISTED_ONCE = 1024;
/** Keys a Proxy reports but a record does not keep (symbols, non-enumerable) looked at, at most. */
const MAX_SKIPPED = 1000;

const listed = new WeakMap<object, KeyList>();
/** Until a big object has been listed there is nothing to look up (most processes never list one). */
let anyListed = false;
const isOwnEnumerable = (value: object, key: string) =>
  Object.prototype.propertyIsEnumerable.call(value, key);

/**
 * The first `limit` own enumerable string keys of `value`. A big object's first keys are listed
 * once and reused while they are all still there, so recording it again costs what is kept (its
 * count is then the one of that listing, and a key added before them since is not seen).
 * May throw (a Proxy's trap); the caller records that.
 */
export function ownKeys(value: object, limit: number): KeyList {
  const known = anyListed ? listed.get(value) : undefined;
  if (known !== undefined && known.keys.length >= limit) {
    const keys = known.keys.length > limit ? known.keys.slice(0, limit) : known.keys;
    if (keys.every((key) => isOwnEnumerable(value, key))) return { keys, total: known.total };
    listed.delete(value);
  }
  // A Proxy runs code for every key it is asked about: ask about the kept ones only.
  if (types.isProxy(value)) return proxyKeys(value, limit);
  const all = Object.keys(value);
  if (all.length <= limit) return { keys: all, total: all.length };
  const list = { keys: all.slice(0, limit), total: all.length };
  if (all.length > LISTED_ONCE) remember(value, list);
  return list;
}

/**
 * A Proxy's own enumerable string keys, one `getOwnPropertyDescriptor` trap per key looked at: its
 * `ownKeys` trap answers once with the whole list, then only as many keys are checked as are kept
 * (and at most {@link MAX_SKIPPED} that are not).
 */
function proxyKeys(value: object, limit: number): KeyList {
  const all = Reflect.ownKeys(value);
  const keys: string[] = [];
  let total: number | undefined;
  let skipped = 0;
  let i = 0;
  for (; i < all.length; i++) {
    const key = all[i]!;
    if (typeof key === "string" && isOwnEnumerable(value, key)) {
      // One key past the limit tells that there are more, without counting them.
      if (keys.length === limit) break;
      keys.push(key);
    } else if (++skipped > MAX_SKIPPED) {
      break;
    }
  }
  if (i === all.length) total = keys.length;
  const list = { keys, total };
  if (keys.length === limit && all.length > LISTED_ONCE) remember(value, list);
  return list;
}

function remember(value: object, list: KeyList): void {
  listed.set(value, list);
  anyListed = true;
}
