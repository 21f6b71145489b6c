import { hostname } from "node:os";
import { threadId } from "node:worker_threads";
import { move, transferableSymbol, valueSymbol } from "piscina";
import { describeValue } from "../errors.js";
import { nodeHandle } from "../nodes/def.js";
import type { CallEvent } from "../recording/types.js";
import { call } from "../runtime/call.js";
import { Session } from "../runtime/session.js";
import { exportCalls, type RemoteCalls } from "../session-file/graft.js";
import { packResult, transferablesOf, unpack } from "./cloneable.js";
import { crossError } from "./crossed-error.js";
import { watchStop } from "./stop-channel.js";
import type { WorkerReply, WorkerTask } from "./task.js";

/**
 * The worker side of `rt.workerNode`: the pool's threads load this file (compiled, from dist) and
 * run each task here. A task runs its export in a session of its own that continues the caller's
 * trace, and sends back the outcome with the calls made, for the caller to graft under its record.
 */

const HOST = hostname();
const modules = new Map<string, Promise<Record<string, unknown>>>();

function moduleOf(url: string): Promise<Record<string, unknown>> {
  let loaded = modules.get(url);
  if (loaded === undefined) {
    loaded = import(url) as Promise<Record<string, unknown>>;
    // A module that failed to load is tried again by the next task (it may have been fixed).
    loaded.catch(() => modules.delete(url));
    modules.set(url, loaded);
  }
  return loaded;
}

async function exportOf(task: WorkerTask): Promise<(...args: unknown[]) => unknown> {
  const module = await moduleOf(task.module);
  const found = module[task.exportName];
  if (typeof found === "function") return found as (...args: unknown[]) => unknown;
  const names = Object.keys(module).filter((key) => typeof module[key] === "function");
  throw new TypeError(
    `${task.module} has no function exported as "${task.exportName}" (got ${describeValue(found)}); its function exports: ${names.length === 0 ? "none" : names.join(", ")}. Export the node or function from the module, or fix the name given to rt.workerNode.`,
  );
}

/**
 * A node's own record in the worker is the caller's record on the other side: its children go
 * straight under the caller's record, and its attributes and events go onto it.
 */
function withoutOwnRecord(remote: RemoteCalls, reply: WorkerReply): RemoteCalls {
  const own = remote.calls.find((line) => line.parent === "0");
  if (own === undefined) return remote;
  reply.own = ownPart(own.attributes, own.events);
  const calls = remote.calls
    .filter((line) => line !== own)
    .map((line) => (line.parent === own.id ? { ...line, parent: "0" } : line));
  return { ...remote, calls };
}

function ownPart(
  attributes: Record<string, unknown> | undefined,
  events: CallEvent[] | undefined,
): WorkerReply["own"] {
  const own: WorkerReply["own"] = {};
  if (attributes !== undefined && Object.keys(attributes).length > 0) own.attributes = attributes;
  if (events !== undefined && events.length > 0) own.events = events;
  return own;
}

/** The calls made in the worker, for the caller; the quick way when there are none to send. */
function callsOf(session: Session, isNode: boolean, reply: WorkerReply): RemoteCalls | undefined {
  const tree = session.tree;
  if (tree.size === 0) return undefined;
  const own = tree.root.children[0];
  // A node that made no calls: only its own record, whose attributes and events go over as they are.
  if (isNode && tree.size === 1 && own !== undefined) {
    reply.own = ownPart(own.attributes, own.events);
    return undefined;
  }
  const remote = exportCalls(tree);
  return isNode ? withoutOwnRecord(remote, reply) : remote;
}

function ignore(): void {}

/** The reply, with the buffers of a serialized result moved to the caller rather than copied. */
function sent(reply: WorkerReply): unknown {
  const buffers = reply.outcome.ok ? transferablesOf([reply.outcome.value]) : [];
  if (buffers.length === 0) return reply;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: reply } as unknown as ArrayBuffer);
}

/** Runs one task; resolves with the reply (the export's errors are in it), never rejects. */
export async function runTask(task: WorkerTask): Promise<unknown> {
  const reply: WorkerReply = {
    threadId,
    pid: process.pid,
    host: HOST,
    outcome: { ok: true, value: { value: undefined } },
  };
  let session: Session | undefined;
  let isNode = false;
  let work: Promise<unknown> | undefined;
  let release: (() => void) | undefined;
  try {
    const args = task.args.map(unpack);
    const fn = await exportOf(task);
    isNode = nodeHandle(fn) !== undefined;
    const running = new Session({
      name: `worker ${task.exportName}`,
      // The tree goes back to the caller, who stores it with its own session.
      store: null,
      ...(task.trace === undefined ? {} : { parent: task.trace }),
    });
    session = running;
    release = watchStop(task.stops, task.id, (reason) => running.cancel(reason));
    const value = await session.run(() => {
      work = Promise.resolve(isNode ? call(fn, ...args) : fn(...args));
      return work;
    });
    reply.outcome = { ok: true, value: packResult(task.exportName, value) };
  } catch (error) {
    reply.outcome = { ok: false, error: crossError(error) };
  }
  // A cancelled session ends at once; a plain function's own work is awaited before the thread
  // takes the next task (work that never stops is ended by the caller terminating the thread).
  await work?.then(ignore, ignore);
  release?.();
  if (task.calls && session !== undefined) {
    const calls = callsOf(session, isNode, reply);
    if (calls !== undefined) reply.calls = calls;
  }
  return sent(reply);
}
