/**
 * The fan-out workload every system runs: a root awaits `Promise.all` over 10 children, each child
 * awaits 2 grandchildren one after the other, so a root makes 31 traced calls. Every function is
 * trivial (an `await` of a resolved promise), so what a row measures is the tracing.
 */

export const CHILDREN = 10;
export const GRANDCHILDREN = 2;
export const CALLS_PER_ROOT = 1 + CHILDREN * (1 + GRANDCHILDREN);

/** The work a function does, untraced. */
export type Work = () => Promise<number>;

/**
 * How a system traces a function: given its name and body, the function to call instead. Like the
 * systems' own wrappers (`traceable`, `rt.functionNode`), it is made once, not per call.
 */
export type Traced = (name: string, body: Work) => Work;

const done = Promise.resolve(1);

/** The root of the workload, with every function traced by `traced`. */
export function fanOut(traced: Traced): Work {
  return shape(traced, async () => await done);
}

/**
 * The same shape, each grandchild waiting for the next event-loop turn as a call waiting for I/O
 * does: a root spans several turns, so a store writes each session in several batches, as it does
 * for a server's requests (a model or a database answers in a later turn).
 */
export function fanOutWaiting(traced: Traced): Work {
  return shape(traced, () => new Promise<number>((resolve) => setImmediate(resolve, 1)));
}

function shape(traced: Traced, leaf: Work): Work {
  const grandchild = traced("grandchild", leaf);
  const child = traced("child", async () => (await grandchild()) + (await grandchild()));
  const children = Array.from({ length: CHILDREN });
  return traced("root", async () => (await Promise.all(children.map(() => child()))).length);
}
