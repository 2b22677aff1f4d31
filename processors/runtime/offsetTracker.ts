// Per-partition offset bookkeeping for out-of-order completion: the committable offset is one past
// the highest offset below which every record is done (Confluent Parallel Consumer's rule), so a
// restart never skips work that was still in flight.
//
// Offsets are numbers, not bigints: Kafka's are int64, but a partition would need 2^53 records
// (285 years at a million a second) to leave the safe range, which `parseOffset` checks anyway.

/** A Kafka offset string as a number; throws beyond Number.MAX_SAFE_INTEGER. */
export function parseOffset(offset: string): number {
  const value = Number(offset);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`unsupported offset ${offset}`);
  return value;
}

export class OffsetTracker {
  /** Offsets handed out and not yet committable, ascending; `head` is the first still pending. */
  private pending: number[] = [];
  private head = 0;
  private readonly done = new Set<number>();
  private committable: number | undefined;

  /** Registers offsets in the order they were fetched. */
  add(offset: number): void {
    const last = this.pending.length > this.head ? this.pending[this.pending.length - 1]! : undefined;
    if (last !== undefined && offset <= last)
      throw new Error(`offset ${offset} added out of order after ${last}`);
    this.pending.push(offset);
  }

  complete(offset: number): void {
    if (this.pending[this.head] !== offset) {
      this.done.add(offset);
      return;
    }
    this.committable = offset + 1;
    this.head++;
    while (this.head < this.pending.length && this.done.delete(this.pending[this.head]!)) {
      this.committable = this.pending[this.head]! + 1;
      this.head++;
    }
    // Drop the settled prefix now and then, so the array stays as small as the window.
    if (this.head >= 1024 && this.head * 2 >= this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  /** The offset to commit (next to read), or undefined when nothing new completed. */
  takeCommittable(): string | undefined {
    const value = this.committable;
    this.committable = undefined;
    return value === undefined ? undefined : String(value);
  }

  /** The lowest offset handed out and not completed: where a refetch must start. */
  get firstIncomplete(): string | undefined {
    return this.head < this.pending.length ? String(this.pending[this.head]) : undefined;
  }

  get inFlight(): number {
    return this.pending.length - this.head;
  }
}
