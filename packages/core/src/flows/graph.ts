/**
 * Graph algorithms over step indices. `deps[i]` lists the steps step `i` waits for; `dependents[i]`
 * the steps that wait for `i`. Ties are always broken by definition order (lower index first), so
 * every order computed here is stable.
 */

/** The steps that wait for each step, in definition order. */
export function dependentsOf(deps: readonly (readonly number[])[]): number[][] {
  const dependents: number[][] = deps.map(() => []);
  for (let i = 0; i < deps.length; i++) for (const d of deps[i]!) dependents[d]!.push(i);
  return dependents;
}

/**
 * A cycle as a list of indices with the first repeated at the end (`[a, b, c, a]`: b after a, c
 * after b, a after c), or `undefined` when the graph is acyclic. Iterative, so deep graphs do not
 * overflow the stack.
 */
export function findCycle(deps: readonly (readonly number[])[]): number[] | undefined {
  const dependents = dependentsOf(deps);
  // 0 = unvisited, 1 = on the current path, 2 = done.
  const state = new Uint8Array(deps.length);
  for (let start = 0; start < deps.length; start++) {
    if (state[start] !== 0) continue;
    const path: number[] = [start];
    const next: number[] = [0];
    state[start] = 1;
    while (path.length > 0) {
      const at = path[path.length - 1]!;
      const out = dependents[at]!;
      const k = next[next.length - 1]!;
      if (k === out.length) {
        state[at] = 2;
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = k + 1;
      const to = out[k]!;
      if (state[to] === 1) return [...path.slice(path.indexOf(to)), to];
      if (state[to] === 0) {
        state[to] = 1;
        path.push(to);
        next.push(0);
      }
    }
  }
  return undefined;
}

/**
 * Depth of each step: 0 for a root, otherwise one more than its deepest dependency. Needs an
 * acyclic graph whose order of definition is not necessarily topological.
 */
export function depths(deps: readonly (readonly number[])[]): number[] {
  const depth = new Array<number>(deps.length).fill(0);
  for (const i of topologicalOrder(deps)) {
    for (const d of deps[i]!) depth[i] = Math.max(depth[i]!, depth[d]! + 1);
  }
  return depth;
}

/** Steps grouped by depth, each group in definition order. */
export function levelsOf(deps: readonly (readonly number[])[]): number[][] {
  const levels: number[][] = [];
  depths(deps).forEach((depth, i) => {
    const level = levels[depth];
    if (level === undefined) levels[depth] = [i];
    else level.push(i);
  });
  return levels;
}

/**
 * A topological order that takes, at each point, the ready step defined first: the order in which
 * a flow with `parallel: false` runs its steps.
 */
export function topologicalOrder(deps: readonly (readonly number[])[]): number[] {
  const dependents = dependentsOf(deps);
  const waiting = deps.map((d) => d.length);
  const ready = new ReadyQueue();
  for (let i = 0; i < deps.length; i++) if (waiting[i] === 0) ready.push(i);
  const order: number[] = [];
  while (ready.size > 0) {
    const i = ready.shift();
    order.push(i);
    for (const j of dependents[i]!) if (--waiting[j]! === 0) ready.push(j);
  }
  return order;
}

/** Every step downstream of `from` (not `from` itself), in definition order. */
export function downstreamOf(from: number, dependents: readonly (readonly number[])[]): number[] {
  const seen = new Set<number>();
  const stack = [...dependents[from]!];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    stack.push(...dependents[i]!);
  }
  return [...seen].sort((a, b) => a - b);
}

/** Step indices kept sorted, smallest (first defined) out first. */
export class ReadyQueue {
  readonly #items: number[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(index: number): void {
    const items = this.#items;
    // Steps mostly become ready in definition order: check the end before searching.
    if (items.length === 0 || items[items.length - 1]! < index) {
      items.push(index);
      return;
    }
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid]! < index) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, index);
  }

  shift(): number {
    return this.#items.shift()!;
  }
}
