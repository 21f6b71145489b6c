import { describeValue, InvalidOptionsError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";
import { type JsonlStore, type JsonlStoreOptions, jsonlStore as openJsonlStore } from "./jsonl.js";

const OPTIONS = Object.keys({ dir: true } satisfies Record<keyof JsonlStoreOptions, true>);

/**
 * The default store: one append-only JSON-lines file per session in `dir` (format: docs/format.md).
 * Lines are batched and appended once per event-loop turn; a crash loses at most that turn.
 * A directory it cannot write to is reported once through the logger; calls go on unrecorded on disk.
 * Its options are checked: an unknown one throws `InvalidOptionsError`.
 *
 * @example
 * ```ts
 * rt.configure({ store: rt.jsonlStore({ dir: "./traces" }) });
 * ```
 */
export function jsonlStore(options: JsonlStoreOptions = {}): JsonlStore {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError(`rt.jsonlStore expected options { dir? }, got ${describeValue(options)}.`);
  }
  checkOptionKeys("rt.jsonlStore", options, OPTIONS);
  if (options.dir !== undefined && (typeof options.dir !== "string" || options.dir === "")) {
    throw new InvalidOptionsError(
      `rt.jsonlStore: expected \`dir\` to be a directory path, got ${describeValue(options.dir)}.`,
    );
  }
  return openJsonlStore(options);
}
