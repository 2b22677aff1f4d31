// The event ids the projector saw last, per topic and partition. The outbox is at-least-once: after a
// Connect crash, Debezium sends again what it sent since its last offset flush, so the same event
// lands a second time, at a later offset of the same partition (the key is the same), shortly after
// the first. The inserted-prefix scheme skips what is at an offset already inserted; this skips the
// same event at a new offset, as long as it comes within the last `capacity` events of its partition.
export class RecentEventIds {
  private readonly partitions = new Map<
    string,
    { ring: string[]; next: number; counts: Map<string, number> }
  >();

  constructor(readonly capacity: number) {}

  private partition(key: string) {
    let entry = this.partitions.get(key);
    if (!entry) {
      entry = { ring: [], next: 0, counts: new Map() };
      this.partitions.set(key, entry);
    }
    return entry;
  }

  has(key: string, eventId: string): boolean {
    return (this.partitions.get(key)?.counts.get(eventId) ?? 0) > 0;
  }

  add(key: string, eventId: string): void {
    const entry = this.partition(key);
    const evicted = entry.ring[entry.next];
    if (evicted !== undefined) {
      const left = (entry.counts.get(evicted) ?? 1) - 1;
      if (left > 0) entry.counts.set(evicted, left);
      else entry.counts.delete(evicted);
    }
    entry.ring[entry.next] = eventId;
    entry.counts.set(eventId, (entry.counts.get(eventId) ?? 0) + 1);
    entry.next = (entry.next + 1) % this.capacity;
  }

  /** Starts the partition over from `eventIds`, oldest first (what ClickHouse holds last). */
  reset(key: string, eventIds: readonly string[]): void {
    this.partitions.delete(key);
    for (const id of eventIds.slice(-this.capacity)) this.add(key, id);
  }
}
