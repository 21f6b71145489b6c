/**
 * Something running in a scope that must stop when the scope aborts. The scope links its entries
 * into a list through these fields: entering and leaving cost two pointer writes, no hashing.
 */
export interface Cancellable {
  cancel(reason: unknown): void;
  scopePrev: Cancellable | undefined;
  scopeNext: Cancellable | undefined;
  scopeOwner: Scope | undefined;
}

/**
 * A cancellation scope: a session, a call with a timeout, or a call given its own `signal`. Calls
 * register in the scope they run in while they run, so aborting a scope ends exactly the calls
 * still running in it (and in the scopes below it), however deep, without a listener per call.
 *
 * The AbortSignal is made only when somebody asks for it (`rt.signal()`): most calls never do.
 */
export class Scope {
  readonly parent: Scope | undefined;
  aborted = false;
  reason: unknown;
  #closed = false;
  #head: Cancellable | undefined;
  #count = 0;
  #controller: AbortController | undefined;
  #children: Set<Scope> | undefined;

  constructor(parent?: Scope) {
    this.parent = parent;
    if (parent) {
      if (parent.aborted) {
        this.aborted = true;
        this.reason = parent.reason;
      } else {
        parent.#children ??= new Set();
        parent.#children.add(this);
      }
    }
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  /** How many calls run in this scope now. */
  get size(): number {
    return this.#count;
  }

  /** Aborts this scope and every scope below it; each running call is cancelled once. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    // Collect first: cancelling unlinks entries (and child scopes) while we walk them.
    for (const child of [...(this.#children ?? [])]) child.abort(reason);
    const entries: Cancellable[] = [];
    for (let entry = this.#head; entry !== undefined; entry = entry.scopeNext) entries.push(entry);
    for (const entry of entries) entry.cancel(reason);
    this.#detach();
  }

  /** Starts tracking a running call. */
  enter(entry: Cancellable): void {
    entry.scopeOwner = this;
    entry.scopePrev = undefined;
    entry.scopeNext = this.#head;
    if (this.#head !== undefined) this.#head.scopePrev = entry;
    this.#head = entry;
    this.#count++;
  }

  /** Stops tracking a call that has settled (a call that never entered is ignored). */
  leave(entry: Cancellable): void {
    if (entry.scopeOwner !== this) return;
    const { scopePrev: prev, scopeNext: next } = entry;
    if (prev === undefined) this.#head = next;
    else prev.scopeNext = next;
    if (next !== undefined) next.scopePrev = prev;
    entry.scopeOwner = entry.scopePrev = entry.scopeNext = undefined;
    this.#count--;
    if (this.#closed && this.#count === 0) this.#detach();
  }

  /**
   * The owner of this scope has ended. The scope stays linked to its parent while stray calls still
   * run in it, so cancelling the session still reaches them.
   */
  close(): void {
    this.#closed = true;
    if (this.#count === 0) this.#detach();
  }

  #detach(): void {
    if (this.parent !== undefined) this.parent.#children?.delete(this);
  }
}
