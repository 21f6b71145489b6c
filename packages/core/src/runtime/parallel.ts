import { describeValue, InvalidOptionsError, NotANodeError } from "../errors.js";
import { nodeHandle } from "../nodes/def.js";
import { expectPositiveInteger } from "../nodes/option-checks.js";
import { checkOptionKeys } from "../option-keys.js";
import { call } from "./call.js";
import { currentFrame, type Frame, storage } from "./frame.js";

/** A unit of work for the parallel helpers: a function that starts it. */
export type Task<T> = () => T | PromiseLike<T>;

/** One task's outcome when errors are values. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** What `rt.asCompleted` yields: the outcome and the task's position in the input. */
export type Completed<T> = Settled<T> & { index: number };

/** What a task resolves with. */
export type TaskResult<K> = K extends () => infer R ? Awaited<R> : never;

/**
 * The results of `rt.all` over `tasks`, position by position: a tuple of tasks gives a tuple of
 * results (like `Promise.all`), an array an array.
 */
export type TaskResults<T extends readonly unknown[]> = { -readonly [K in keyof T]: TaskResult<T[K]> };

/** `rt.all`'s results with `settle: true`: each position an outcome `{ ok, value | error }`. */
export type SettledResults<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: Settled<TaskResult<T[K]>>;
};

/** Options of `rt.all` and `rt.map`. */
export interface AllOptions {
  /** How many tasks run at once. @default all of them */
  concurrency?: number;
  /** Give every outcome as `{ ok, value | error }` instead of rejecting on the first error. @default false */
  settle?: boolean;
}

/** Options of `rt.asCompleted`. */
export interface AsCompletedOptions {
  /** How many tasks run at once. @default all of them */
  concurrency?: number;
}

const ALL_OPTIONS = Object.keys({ concurrency: true, settle: true } satisfies Record<keyof AllOptions, true>);
const AS_COMPLETED_OPTIONS = Object.keys({ concurrency: true } satisfies Record<
  keyof AsCompletedOptions,
  true
>);

function checkTasks(where: string, tasks: unknown): void {
  if (!Array.isArray(tasks)) {
    throw new InvalidOptionsError(
      `${where} expected an array of tasks (() => work), got ${describeValue(tasks)}.`,
    );
  }
  for (let i = 0; i < tasks.length; i++) {
    if (typeof tasks[i] !== "function") {
      throw new InvalidOptionsError(
        `${where} expected every task to be a function that starts the work, such as () => rt.call(node, x); got ${describeValue(tasks[i])} at index ${i}. Wrap it so the work starts only when a slot is free.`,
      );
    }
  }
}

function limitOf(
  where: string,
  options: { concurrency?: number } | undefined,
  known: readonly string[],
  count: number,
): number {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new InvalidOptionsError(`${where} expected an options object, got ${describeValue(options)}.`);
  }
  if (options !== undefined) checkOptionKeys(where, options, known);
  const concurrency = options?.concurrency;
  if (concurrency === undefined || concurrency === Number.POSITIVE_INFINITY) return Math.max(count, 1);
  return expectPositiveInteger(where, "concurrency", concurrency, "how many tasks run at once");
}

/**
 * Starts task `index` in the caller's frame: a task started later, when a slot frees up, must still
 * see the call that asked for it, not the task that happened to finish.
 */
function start<T>(frame: Frame | undefined, task: Task<T>): PromiseLike<T> | T {
  try {
    return frame === undefined ? task() : storage.run(frame, task);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Runs tasks with at most `concurrency` at once; resolves with their results in input order. By
 * default it rejects with the first error and starts no further task (tasks already running go on);
 * with `settle: true` every outcome is a value `{ ok, value | error }`.
 *
 * Tasks of different result types are fine: like `Promise.all`, a tuple of tasks resolves with a
 * tuple of their results (`[string, number]`), and with `settle: true` a tuple of outcomes.
 *
 * @example
 * ```ts
 * const answers = await rt.all(questions.map((q) => () => rt.call(ask, q)), { concurrency: 4 });
 * const [text, count] = await rt.all([() => rt.call(ask, "why?"), () => rt.call(countWords, "a b")]);
 * ```
 */
export function all<const T extends readonly Task<unknown>[] | []>(
  tasks: T,
  options: AllOptions & { settle: true },
): Promise<SettledResults<T>>;
export function all<const T extends readonly Task<unknown>[] | []>(
  tasks: T,
  options?: AllOptions & { settle?: false },
): Promise<TaskResults<T>>;
export function all<const T extends readonly Task<unknown>[] | []>(
  tasks: T,
  options?: AllOptions,
): Promise<TaskResults<T> | SettledResults<T>>;
// The element type given explicitly (`rt.all<number>(tasks)`), as before tuples were inferred.
export function all<T>(
  tasks: ReadonlyArray<Task<T>>,
  options: AllOptions & { settle: true },
): Promise<Settled<Awaited<T>>[]>;
export function all<T>(tasks: ReadonlyArray<Task<T>>, options?: AllOptions): Promise<Awaited<T>[]>;
export function all(tasks: ReadonlyArray<Task<unknown>>, options?: AllOptions): Promise<unknown[]> {
  checkTasks("rt.all", tasks);
  const limit = limitOf("rt.all", options, ALL_OPTIONS, tasks.length);
  const settle = options?.settle === true;
  const frame = currentFrame();
  const count = tasks.length;
  return new Promise((resolve, reject) => {
    const results = new Array<unknown>(count);
    let next = 0;
    let done = 0;
    let failed = false;
    const launch = (): void => {
      const index = next++;
      Promise.resolve(start(frame, tasks[index]!)).then(
        (value) => {
          results[index] = settle ? { ok: true, value } : value;
          finish();
        },
        (error: unknown) => {
          if (settle) {
            results[index] = { ok: false, error };
            finish();
          } else if (!failed) {
            failed = true;
            reject(error);
          }
        },
      );
    };
    const finish = (): void => {
      done++;
      if (done === count) resolve(results);
      else if (next < count && !failed) launch();
    };
    if (count === 0) resolve(results);
    for (let i = 0; i < limit && i < count; i++) launch();
  });
}

/**
 * Runs tasks with at most `concurrency` at once and yields each outcome as soon as it completes:
 * `{ index, ok: true, value }` or `{ index, ok: false, error }`. Errors are values, so one failing
 * task never hides the others. Leaving the loop early starts no further task.
 *
 * @example
 * ```ts
 * for await (const r of rt.asCompleted(languages.map((l) => () => rt.call(answer, l, question)))) {
 *   console.log(r.index, r.ok ? r.value : r.error);
 * }
 * ```
 */
export function asCompleted<const T extends readonly Task<unknown>[] | []>(
  tasks: T,
  options?: AsCompletedOptions,
): AsyncIterableIterator<Completed<TaskResult<T[number]>>>;
export function asCompleted<T>(
  tasks: ReadonlyArray<Task<T>>,
  options?: AsCompletedOptions,
): AsyncIterableIterator<Completed<T>> {
  checkTasks("rt.asCompleted", tasks);
  const limit = limitOf("rt.asCompleted", options, AS_COMPLETED_OPTIONS, tasks.length);
  const frame = currentFrame();
  const count = tasks.length;
  const ready: Completed<T>[] = [];
  let wake: (() => void) | undefined;
  let next = 0;
  let stopped = false;

  const launch = (): void => {
    const index = next++;
    const deliver = (outcome: Completed<T>) => {
      ready.push(outcome);
      if (!stopped && next < count) launch();
      wake?.();
    };
    Promise.resolve(start(frame, tasks[index]!)).then(
      (value) => deliver({ index, ok: true, value }),
      (error: unknown) => deliver({ index, ok: false, error }),
    );
  };

  async function* iterate(): AsyncGenerator<Completed<T>> {
    try {
      for (let i = 0; i < limit && i < count; i++) launch();
      for (let delivered = 0; delivered < count; delivered++) {
        while (ready.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        yield ready.shift()!;
      }
    } finally {
      stopped = true;
    }
  }
  return iterate();
}

/**
 * Calls `node` once per item (each item is the node's one argument), with at most `concurrency`
 * calls at once; results in input order. Options as for `rt.all`.
 *
 * @example
 * ```ts
 * const summaries = await rt.map(summarise, documents, { concurrency: 5 });
 * ```
 */
export function map<I, R>(
  node: (item: I) => R,
  items: readonly I[],
  options: AllOptions & { settle: true },
): Promise<Settled<Awaited<R>>[]>;
export function map<I, R>(
  node: (item: I) => R,
  items: readonly I[],
  options?: AllOptions,
): Promise<Awaited<R>[]>;
export function map<I, R>(
  node: (item: I) => R,
  items: readonly I[],
  options?: AllOptions,
): Promise<Array<Awaited<R> | Settled<Awaited<R>>>> {
  if (nodeHandle(node) === undefined) throw new NotANodeError(node, "rt.map");
  if (!Array.isArray(items)) {
    throw new InvalidOptionsError(`rt.map expected an array of items, got ${describeValue(items)}.`);
  }
  if (typeof options === "object" && options !== null) checkOptionKeys("rt.map", options, ALL_OPTIONS);
  return all(
    items.map((item) => () => call(node, item)),
    options,
  );
}
