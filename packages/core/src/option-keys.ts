/**
 * Unknown option names are rejected everywhere, the same way: a misspelled `timeoutMs` must fail at
 * once, not silently mean "no timeout".
 */

import leven from "leven";
import { InvalidOptionsError } from "./errors.js";

/**
 * The known name a misspelled one most likely meant: same letters in another case, a prefix of a
 * known name (`timeout` for `timeoutMs`), or a few edits away. `undefined` when none is close.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    const distance =
      lower === wanted ? 0 : wanted.length >= 3 && lower.startsWith(wanted) ? 1 : leven(wanted, lower);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Two edits in a short name (`recrod`), about a third of the letters in a long one.
  const allowed = Math.max(2, Math.floor(wanted.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/**
 * The message for an option name that is not one of `known`: it names the key, the closest known
 * one and every known one. `path` is where the options sit inside a bigger object (`"retry"`).
 */
export function unknownOptionMessage(
  where: string,
  key: string,
  known: readonly string[],
  path?: string,
): string {
  const prefix = path === undefined ? "" : `${path}.`;
  const guess = closestName(key, known);
  const hint = guess === undefined ? "" : ` (did you mean \`${prefix}${guess}\`?)`;
  const of = path === undefined ? "" : ` of \`${path}\``;
  const list = known.length === 0 ? "none" : known.join(", ");
  return `${where}: unknown option \`${prefix}${key}\`${hint}. Known options${of}: ${list}.`;
}

/**
 * Throws `InvalidOptionsError` when `options` has an own key that is not one of `known`, naming
 * that key, the known option closest to it and every known option, so that a misspelled option
 * fails at once instead of being ignored. Every runtrace function taking options calls it;
 * libraries built on runtrace can too.
 *
 * @example
 * ```ts
 * rt.checkOptionKeys("myHelper", { timeout: 5 }, ["timeoutMs", "retry"]);
 * // InvalidOptionsError: myHelper: unknown option `timeout` (did you mean `timeoutMs`?). Known options: timeoutMs, retry.
 * ```
 */
export function checkOptionKeys(
  where: string,
  options: object,
  known: readonly string[],
  path?: string,
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidOptionsError(unknownOptionMessage(where, key, known, path));
    }
  }
}
