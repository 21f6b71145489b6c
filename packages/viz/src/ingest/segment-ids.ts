import { open, readdir } from "node:fs/promises";
import { join } from "node:path";

/** How a segment's index is named: `<name>.segment-index` (docs/format.md, "Segment files"). */
const INDEX_EXTENSION = ".segment-index";

/**
 * The ids of the sessions stored in the segment files of a directory, as their indexes name them
 * (a JSON line per block, each with its session's `id`). Each look reads on from where the last one
 * stopped, so it costs a directory listing and the index lines written since. Blocks a crashed
 * process wrote past its index are not counted: this is for telling taken ids apart, not reading.
 */
export class SegmentIds {
  readonly #dir: string;
  /** Bytes of complete lines read so far, by index file. */
  readonly #read = new Map<string, number>();
  readonly #ids = new Set<string>();
  #looking: Promise<void> | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Reads what the indexes gained since the last look (callers meanwhile share one look). */
  refresh(): Promise<void> {
    this.#looking ??= this.#look().finally(() => {
      this.#looking = undefined;
    });
    return this.#looking;
  }

  async #look(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch {
      return; // no directory yet: no segments either
    }
    for (const name of names) {
      if (!name.endsWith(INDEX_EXTENSION)) continue;
      // One removed or unreadable meanwhile names no session.
      await this.#readOn(join(this.#dir, name)).catch(() => {});
    }
  }

  async #readOn(index: string): Promise<void> {
    const from = this.#read.get(index) ?? 0;
    const handle = await open(index, "r");
    try {
      const { size } = await handle.stat();
      if (size <= from) return;
      const data = Buffer.alloc(size - from);
      const { bytesRead } = await handle.read(data, 0, data.length, from);
      // Complete lines only: the last one may be being written.
      const end = bytesRead === 0 ? 0 : data.lastIndexOf(10, bytesRead - 1) + 1;
      for (const line of data.toString("utf8", 0, end).split("\n")) {
        if (line.length === 0) continue;
        try {
          const id = (JSON.parse(line) as { id?: unknown }).id;
          if (typeof id === "string") this.#ids.add(id);
        } catch {
          // A line cut off by a crash: the block it stands for has no id to give.
        }
      }
      this.#read.set(index, from + end);
    } finally {
      await handle.close();
    }
  }
}
