// Key-ordered parallelism: records of one key run strictly one after another, records of
// different keys run concurrently, at most `maxInFlight` at a time. Records that are ready at the
// same moment may be grouped (one per key) into one handler call for sinks that prefer batches.
// Callbacks rather than a promise per record: at tens of thousands of records per second, the
// promise chains cost more CPU than the bookkeeping itself.

export interface KeyedExecutorOptions<T> {
  /** Records being handled at once, across all keys; a function is asked again at each dispatch. */
  maxInFlight: number | (() => number);
  /** Records per handler call (1 = no batching). */
  batchSize: number;
  /**
   * Whether a batch may hold several records of one key, in order. Only for handlers that apply a
   * batch's records in order, or whose effects do not depend on order; otherwise a batch holds at
   * most one record per key.
   */
  sameKeyInBatch?: boolean;
  /** How long a partial batch waits for more records. */
  batchWaitMs: number;
  /** The ordering key of an item. */
  keyOf: (item: T) => string;
  handle: (items: T[]) => Promise<void>;
  /** Asked when an item's turn comes; an item refused fails with ItemRefusedError, unhandled. */
  admit?: (item: T) => boolean;
  /** Called once per item whose handling succeeded. */
  done: (item: T) => void;
  /**
   * Called once per item that was not handled: its handling failed, it was refused, or an earlier
   * item of its key failed (a key's later items are never handled out of order).
   */
  failed: (item: T, error: unknown) => void;
}

export class ItemRefusedError extends Error {
  override name = 'ItemRefusedError';
}

export class KeyedExecutor<T> {
  /** Keys with an item ready or running; each maps to the items queued behind it, in order. */
  private readonly queued = new Map<string, T[]>();
  /** Items whose key is free, in arrival order. */
  private readonly ready: T[] = [];
  private batch: T[] = [];
  /** Items taken from `ready`: in the open batch or being handled. */
  private running = 0;
  private timer: NodeJS.Timeout | undefined;

  private readonly limit: () => number;

  constructor(private readonly options: KeyedExecutorOptions<T>) {
    const { maxInFlight } = options;
    if (typeof maxInFlight === 'number' && (!Number.isInteger(maxInFlight) || maxInFlight < 1))
      throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
    this.limit = typeof maxInFlight === 'number' ? () => maxInFlight : () => Math.max(1, maxInFlight());
  }

  /** Starts what a raised limit now allows (a limit function may grow without any record settling). */
  poke(): void {
    this.dispatch();
  }

  /** Queues `item` behind the earlier items of its key; `done` or `failed` reports its outcome. */
  submit(item: T): void {
    const key = this.options.keyOf(item);
    const queue = this.queued.get(key);
    if (queue) {
      queue.push(item);
      return;
    }
    this.queued.set(key, []);
    this.ready.push(item);
    this.dispatch();
  }

  get activeKeys(): number {
    return this.queued.size;
  }

  /** Records holding a handler slot: in handler calls, or in a batch about to start one (≤ maxInFlight). */
  get inFlight(): number {
    return this.running;
  }

  private dispatch(): void {
    const limit = this.limit();
    while (this.ready.length > 0 && this.running < limit) {
      const item = this.ready.shift()!;
      if (this.options.admit && !this.options.admit(item)) {
        this.settle([item], false, new ItemRefusedError('not admitted'));
        continue;
      }
      this.running++;
      if (this.options.batchSize <= 1) {
        this.run([item]);
        continue;
      }
      this.batch.push(item);
      if (this.options.sameKeyInBatch) this.takeQueuedBehind(item);
      if (this.batch.length >= this.options.batchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.batchWaitMs);
    }
  }

  /** Moves the items queued behind `item` into the open batch, in order, while there is room. */
  private takeQueuedBehind(item: T): void {
    const queue = this.queued.get(this.options.keyOf(item));
    while (
      queue &&
      queue.length > 0 &&
      this.batch.length < this.options.batchSize &&
      this.running < this.limit() &&
      (!this.options.admit || this.options.admit(queue[0]!))
    ) {
      this.batch.push(queue.shift()!);
      this.running++;
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    this.batch = [];
    if (batch.length > 0) this.run(batch);
  }

  private run(items: T[]): void {
    let handling: Promise<void>;
    try {
      handling = this.options.handle(items);
    } catch (error) {
      handling = Promise.reject(error);
    }
    handling.then(
      () => this.finish(items, true, undefined),
      (error: unknown) => this.finish(items, false, error),
    );
  }

  private finish(items: T[], ok: boolean, error: unknown): void {
    this.running -= items.length;
    this.settle(items, ok, error);
    this.dispatch();
  }

  /** Reports the items, then frees each key once: its next item becomes ready, or all of them fail. */
  private settle(items: T[], ok: boolean, error: unknown): void {
    const keys = new Set<string>();
    for (const item of items) {
      if (ok) this.options.done(item);
      else this.options.failed(item, error);
      keys.add(this.options.keyOf(item));
    }
    for (const key of keys) {
      const queue = this.queued.get(key) ?? [];
      if (ok) {
        const next = queue.shift();
        if (next === undefined) this.queued.delete(key);
        else this.ready.push(next);
        continue;
      }
      this.queued.delete(key);
      const cause = new Error(`an earlier record of key ${key} failed`, { cause: error });
      for (const later of queue) this.options.failed(later, cause);
    }
  }
}
