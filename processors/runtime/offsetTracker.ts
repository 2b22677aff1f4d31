// Per-partition offset bookkeeping for out-of-order completion: the committable offset is one past
// the highest offset below which every record is done (Confluent Parallel Consumer's rule), so a
// restart never skips work that was still in flight.
export class OffsetTracker {
  private readonly pending: bigint[] = []; // offsets handed out, ascending
  private readonly done = new Set<bigint>();
  private committable: bigint | undefined;

  /** Registers offsets in the order they were fetched. */
  add(offset: string): void {
    const value = BigInt(offset);
    const last = this.pending.at(-1);
    if (last !== undefined && value <= last)
      throw new Error(`offset ${offset} added out of order after ${last}`);
    this.pending.push(value);
  }

  complete(offset: string): void {
    this.done.add(BigInt(offset));
    while (this.pending.length > 0 && this.done.has(this.pending[0]!)) {
      const head = this.pending.shift()!;
      this.done.delete(head);
      this.committable = head + 1n;
    }
  }

  /** The offset to commit (next to read), or undefined when nothing new completed. */
  takeCommittable(): string | undefined {
    const value = this.committable;
    this.committable = undefined;
    return value === undefined ? undefined : value.toString();
  }

  /** The lowest offset handed out and not completed: where a refetch must start. */
  get firstIncomplete(): string | undefined {
    return this.pending[0]?.toString();
  }

  get inFlight(): number {
    return this.pending.length;
  }
}
