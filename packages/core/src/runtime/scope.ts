/** Something running in a scope that must stop when the scope aborts. */
export interface Cancellable {
  cancel(reason: unknown): void;
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
  readonly running = new Set<Cancellable>();
  aborted = false;
  reason: unknown;
  #closed = false;
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

  /** Aborts this scope and every scope below it; each running call is cancelled once. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    // Copy first: cancelling removes entries from these sets while we walk them.
    for (const child of [...(this.#children ?? [])]) child.abort(reason);
    for (const entry of [...this.running]) entry.cancel(reason);
    this.detach();
  }

  /** Starts tracking a running call. */
  enter(entry: Cancellable): void {
    this.running.add(entry);
  }

  /** Stops tracking a call that has settled. */
  leave(entry: Cancellable): void {
    this.running.delete(entry);
    if (this.#closed && this.running.size === 0) this.detach();
  }

  /**
   * The owner of this scope has ended. The scope stays linked to its parent while stray calls still
   * run in it, so cancelling the session still reaches them.
   */
  close(): void {
    this.#closed = true;
    if (this.running.size === 0) this.detach();
  }

  private detach(): void {
    if (this.parent !== undefined) this.parent.#children?.delete(this);
  }
}
