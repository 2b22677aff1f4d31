// Bounds concurrent work without Promise.race over the whole in-flight set (which attaches a
// handler to every pending promise on each call, and so grows quadratically).
export class InFlightWindow {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`in-flight limit must be a positive integer, got ${limit}`);
  }

  get size(): number {
    return this.active;
  }

  /** Resolves when a slot is free, and takes it. */
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Takes a slot if one is free, without waiting (no promise: for per-record hot paths). */
  tryAcquire(): boolean {
    if (this.active >= this.limit) return false;
    this.active++;
    return true;
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) {
      next(); // the slot passes straight to the next waiter
      return;
    }
    this.active--;
    if (this.active === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
  }

  /** Resolves once nothing is in flight. */
  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Takes a slot, runs `task` without awaiting it, and frees the slot when it settles. */
  async run(task: () => Promise<void>): Promise<void> {
    await this.acquire();
    void task().finally(() => this.release());
  }
}
