// Commits completed work only: per partition, one past the highest offset below which every taken
// record is done (see OffsetTracker), so a restart never skips work that was still in flight. Also
// decides which records may still start once stopping, and rewinds a partition whose record could
// be neither handled nor dead-lettered.
import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import type { InFlightWindow } from '../../core/inFlightWindow.ts';
import type { ProcessorMetrics } from './metrics.ts';
import { OffsetTracker } from './offsetTracker.ts';

const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/** Where a record taken from a fetch sits, until its effects are durable. */
export interface TakenPosition {
  topic: string;
  partition: number;
  offset: number;
  tracker: OffsetTracker;
  producedAt: number;
}

export interface OffsetCommitterOptions {
  consumer: Pick<Consumer, 'commitOffsets' | 'seek'>;
  /** The records' buffer: a record's slot is freed once it is done, handled or not. */
  buffered: InFlightWindow;
  isStopping: () => boolean;
  metrics: ProcessorMetrics;
  log: Logger;
}

export class OffsetCommitter {
  private readonly durableAge;
  private readonly trackers = new Map<string, OffsetTracker>();
  private readonly committed = new Map<string, number>();
  /** Per partition, the highest offset whose handling has started. */
  private readonly startedUpTo = new Map<string, number>();
  private commitChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: OffsetCommitterOptions) {
    this.durableAge = options.metrics.recordAgeSeconds.labels('durable');
  }

  /** A new generation refetches from the committed offsets: start offset bookkeeping afresh. */
  reset(): void {
    this.trackers.clear();
    this.committed.clear();
    this.startedUpTo.clear();
  }

  /** The partition's tracker, to which a fetch adds the offsets it takes, in order. */
  tracker(topic: string, partition: number): OffsetTracker {
    const key = partitionKey(topic, partition);
    let tracker = this.trackers.get(key);
    if (!tracker) this.trackers.set(key, (tracker = new OffsetTracker()));
    return tracker;
  }

  /**
   * Once stopping, a record may still start only if a later record of its partition already did:
   * that fills the gaps below the in-flight records, so the commit covers exactly the work done.
   */
  admit({ topic, partition, offset }: TakenPosition): boolean {
    const key = partitionKey(topic, partition);
    const high = this.startedUpTo.get(key);
    if (this.options.isStopping()) return high !== undefined && offset <= high;
    if (high === undefined || offset > high) this.startedUpTo.set(key, offset);
    return true;
  }

  /** Its effects are durable (or it is in the dead-letter topic): its offset may be committed. */
  completed({ tracker, offset, producedAt }: TakenPosition): void {
    tracker.complete(offset);
    this.durableAge.observe((Date.now() - producedAt) / 1000);
    this.options.buffered.release();
  }

  /**
   * A record neither landed nor reached the dead-letter topic: shutdown interrupted its retries, or
   * something unforeseen failed. Its offset is never committed; unless stopping, fetch the partition
   * again from the first incomplete record, so nothing is skipped until the next restart. Records
   * after it run again too (effects are idempotent, keys stay in order).
   */
  notHandled({ topic, partition, tracker }: TakenPosition, error: unknown): void {
    this.options.buffered.release();
    if (this.options.isStopping()) return;
    const key = partitionKey(topic, partition);
    if (this.trackers.get(key) !== tracker) return; // already rewound past this tracker's offsets
    const offset = tracker.firstIncomplete;
    if (offset === undefined) return;
    this.options.log.error(
      { err: error, topic, partition, offset },
      'record not handled: fetching again from it',
    );
    this.trackers.delete(key); // refetched offsets start a new tracker
    this.options.consumer.seek({ topic, partition, offset });
  }

  /** Commits, per partition, one past the highest contiguous completed offset. Serialised. */
  commitCompleted(): Promise<void> {
    this.commitChain = this.commitChain.then(async () => {
      const offsets: Array<{ topic: string; partition: number; offset: string }> = [];
      for (const [key, tracker] of this.trackers) {
        const offset = tracker.takeCommittable();
        if (offset === undefined) continue;
        if ((this.committed.get(key) ?? -1) >= Number(offset)) continue;
        const [topic, partition] = [
          key.slice(0, key.lastIndexOf(':')),
          Number(key.slice(key.lastIndexOf(':') + 1)),
        ];
        offsets.push({ topic, partition, offset });
        this.committed.set(key, Number(offset));
      }
      if (offsets.length === 0) return;
      try {
        await this.options.consumer.commitOffsets(offsets);
      } catch (error) {
        // Not fatal: the records are handled again after a restart (effects are idempotent).
        this.options.log.warn({ err: error }, 'offset commit failed');
      }
    });
    return this.commitChain;
  }
}
