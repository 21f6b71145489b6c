/**
 * On Node 20 every enabled AsyncLocalStorage costs every promise of the process: the async hook that
 * carries stores into new promises loops over all of them. One process holding runtrace, an
 * OpenTelemetry context manager, Genkit, the OpenAI Agents SDK and LangSmith (each with a storage of
 * its own) would make each system pay for all the others' storages, the floor included: six idle
 * storages more than double the floor here. So the benchmark notes which storages the systems
 * enable (by watching `_enable` during the warm-up round), and disables them all before each sample:
 * a sample then pays only for the storages its own system enables again.
 */
import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";

interface Enableable {
  _enable?: (this: AsyncLocalStorage<unknown>) => void;
}

export interface StorageWatch {
  /** Whether this Node keeps its storages in the list the hook loops over (Node 20 does). */
  readonly supported: boolean;
  /** Stops noting storages (the hot path is back to Node's own `_enable`). */
  stop(): void;
  /** Disables every storage seen; each one comes back on at its next `run` or `enterWith`. */
  disableAll(): void;
  /** How many of the storages seen are enabled now. */
  enabled(): number;
  /** Enabled storages that were never seen (left on by code that ran before the watch). */
  strays(): number;
}

/** How many storages the hook loops over now: each leaves its store symbol on a new resource. */
function enabledStorages(): number {
  const probe = new AsyncResource("runtrace-bench-probe");
  const count = Object.getOwnPropertySymbols(probe).filter((s) => s.description === "kResourceStore").length;
  probe.emitDestroy();
  return count;
}

/** Starts noting every AsyncLocalStorage that enables itself from now on. */
export function watchStorages(): StorageWatch {
  const proto = AsyncLocalStorage.prototype as unknown as Enableable;
  const original = proto._enable;
  const seen = new Set<AsyncLocalStorage<unknown>>();
  if (typeof original !== "function") {
    return { supported: false, stop() {}, disableAll() {}, enabled: () => 0, strays: () => 0 };
  }
  proto._enable = function (this: AsyncLocalStorage<unknown>) {
    seen.add(this);
    original.call(this);
  };
  const enabled = () =>
    [...seen].filter((storage) => (storage as unknown as { enabled: boolean }).enabled).length;
  return {
    supported: true,
    stop() {
      proto._enable = original;
    },
    disableAll() {
      for (const storage of seen) storage.disable();
    },
    enabled,
    strays: () => enabledStorages() - enabled(),
  };
}
