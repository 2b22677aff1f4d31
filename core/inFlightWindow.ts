// Bounds concurrent work without Promise.race over the whole in-flight set (which attaches a
// handler to every pending promise on each call, and so grows quadratically).
export class InFlightWindow {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(private limitNow: number) {
    InFlightWindow.check(limitNow);
  }

  private static check(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`in-flight limit must be a positive integer, got ${limit}`);
  }

  get limit(): number {
    return this.limitNow;
  }

  /** Changes the limit: a raise lets waiters in at once, a cut takes effect as slots are released. */
  setLimit(limit: number): void {
    InFlightWindow.check(limit);
    this.limitNow = limit;
    while (this.active < this.limitNow && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }

  get size(): number {
    return this.active;
  }

  /** Resolves when a slot is free, and takes it. */
  async acquire(): Promise<void> {
    if (this.active < this.limitNow) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Takes a slot if one is free, without waiting (no promise: for per-record hot paths). */
  tryAcquire(): boolean {
    if (this.active >= this.limitNow) return false;
    this.active++;
    return true;
  }

  release(): void {
    if (this.active <= this.limitNow) {
      const next = this.waiting.shift();
      if (next) {
        next(); // the slot passes straight to the next waiter
        return;
      }
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
