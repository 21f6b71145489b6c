/// <reference types="node" preserve="true" />
/**
 * `@runtrace/core/format`: the rules of the stored format (docs/format.md) for tools that read a
 * store's files while they grow, as the viewer's live follower does, so that they find sessions in
 * segment files exactly as `readSession` does. Reading whole sessions needs none of it: use a store's
 * `readSession` or `rt.readSessionFile`.
 *
 * @example
 * ```ts
 * import { indexEntry, isMoreLine, SEGMENT_EXTENSION } from "@runtrace/core/format";
 * let covered = 0;
 * for (const text of indexText.split("\n")) {
 *   const block = indexEntry(text, segmentSize, covered); // undefined: not a usable line (yet)
 *   if (block !== undefined) covered = block.at + block.bytes;
 * }
 * ```
 *
 * @packageDocumentation
 */

export type { IndexLine, ScannedBlock, SegmentBlock } from "./session-file/segments.js";
export {
  indexEntry,
  isMoreLine,
  SEGMENT_EXTENSION,
  SEGMENT_INDEX_EXTENSION,
  scanBlocks,
  segmentPid,
} from "./session-file/segments.js";
