// Key-ordered parallelism: records of one key run strictly one after another, records of
// different keys run concurrently, at most `maxInFlight` at a time. Records that are ready at the
// same moment may be grouped (one per key) into one handler call for sinks that prefer batches.
import { InFlightWindow } from '../../core/inFlightWindow.ts';

export interface KeyedExecutorOptions<T> {
  /** Records being handled at once, across all keys. */
  maxInFlight: number;
  /** Records per handler call (1 = no batching). A batch never holds two records of one key. */
  batchSize: number;
  /** How long a partial batch waits for more records. */
  batchWaitMs: number;
  handle: (items: T[]) => Promise<void>;
  /** Asked when an item's turn comes; an item refused is rejected with ItemRefusedError, unhandled. */
  admit?: (item: T) => boolean;
}

export class ItemRefusedError extends Error {
  override name = 'ItemRefusedError';
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class KeyedExecutor<T> {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly window: InFlightWindow;
  private batch: Array<Waiting<T>> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: KeyedExecutorOptions<T>) {
    this.window = new InFlightWindow(options.maxInFlight);
  }

  /** Resolves when `item` was handled; rejects (and stops its key's later items) if handling failed. */
  submit(key: string, item: T): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.execute(item));
    const tail = run.catch(() => Promise.reject(new Error(`an earlier record of key ${key} failed`)));
    tail.catch(() => undefined); // a failed tail only matters to later items of this key
    this.tails.set(key, tail);
    void run.then(
      () => this.tails.get(key) === tail && this.tails.delete(key),
      () => this.tails.get(key) === tail && this.tails.delete(key),
    );
    return run;
  }

  get activeKeys(): number {
    return this.tails.size;
  }

  get inFlight(): number {
    return this.window.size;
  }

  private async execute(item: T): Promise<void> {
    if (this.options.admit && !this.options.admit(item)) throw new ItemRefusedError('not admitted');
    await this.window.acquire();
    try {
      if (this.options.batchSize <= 1) return await this.options.handle([item]);
      await new Promise<void>((resolve, reject) => {
        this.batch.push({ item, resolve, reject });
        if (this.batch.length >= this.options.batchSize) this.flush();
        else this.timer ??= setTimeout(() => this.flush(), this.options.batchWaitMs);
      });
    } finally {
      this.window.release();
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    this.options.handle(batch.map((w) => w.item)).then(
      () => batch.forEach((w) => w.resolve()),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    );
  }
}
