// The compacted feedback topic's meaning, applied record by record in log order: the latest record
// per key wins and a tombstone removes the key. Pure, so the rules are tested without Kafka.
import type { FeedbackRecord } from '../../schemas/generated/events.ts';

/** A record that could not be read as a FeedbackRecord; kept under its key until superseded. */
export interface UnreadableRecord {
  key: string | null;
  partition: number;
  offset: string;
  error: string;
}

export interface SnapshotStats {
  /** Records read, tombstones included. */
  read: number;
  /** Records replaced by a later record of the same key. */
  superseded: number;
  /** Tombstones read. */
  tombstones: number;
  /** Keys a tombstone removed (a tombstone for a key already gone removes nothing). */
  removed: number;
}

type Entry = { record: FeedbackRecord } | { unreadable: UnreadableRecord };

export class FeedbackState {
  private readonly entries = new Map<string, Entry>();
  readonly stats: SnapshotStats = { read: 0, superseded: 0, tombstones: 0, removed: 0 };

  put(key: string, record: FeedbackRecord): void {
    this.set(key, { record });
  }

  /** A record without a key cannot be superseded or removed: it stays unreadable. */
  unreadable(record: UnreadableRecord): void {
    this.set(record.key ?? `(no key) ${record.partition}:${record.offset}`, { unreadable: record });
  }

  tombstone(key: string | null): void {
    this.stats.read++;
    this.stats.tombstones++;
    if (key !== null && this.entries.delete(key)) this.stats.removed++;
  }

  /** The live records, in no particular order. */
  live(): FeedbackRecord[] {
    return [...this.entries.values()].flatMap((e) => ('record' in e ? [e.record] : []));
  }

  unreadableRecords(): UnreadableRecord[] {
    return [...this.entries.values()].flatMap((e) => ('unreadable' in e ? [e.unreadable] : []));
  }

  private set(key: string, entry: Entry): void {
    this.stats.read++;
    if (this.entries.has(key)) this.stats.superseded++;
    this.entries.set(key, entry);
  }
}
