// One promise for a group of records: resolves when the last is acknowledged, rejects at the first
// failure. Transports track deliveries per group rather than per record, which keeps the per-record
// cost on the JavaScript thread to a counter decrement.
export class Delivery {
  readonly promise: Promise<void>;
  private remaining: number;
  private settled = false;
  private resolvePromise!: () => void;
  private rejectPromise!: (error: Error) => void;

  constructor(count: number) {
    this.remaining = count;
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    if (count === 0) this.settle();
  }

  private settle(error?: Error): void {
    if (this.settled) return;
    this.settled = true;
    if (error) this.rejectPromise(error);
    else this.resolvePromise();
  }

  ack(): void {
    if (--this.remaining === 0) this.settle();
  }

  fail(error: Error): void {
    this.settle(error);
  }
}
