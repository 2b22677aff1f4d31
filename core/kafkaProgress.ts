// Where a topic ends and how far a consumer group is through it: the one implementation behind
// rebuilds, reconciles, benchmarks and tests.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { createKafka } from './clients.ts';
import type { ClientConfig } from './config.ts';

/** Per partition, the offset one past the last record (the high watermark). */
export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
}

/** Committed offsets (next to read) per partition; 0 where the group has committed nothing. */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(
    (offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset === '-1' ? '0' : p.offset)]),
  );
}

export interface GroupProgress {
  /** Records committed, counted up to the target per partition. */
  done: bigint;
  total: bigint;
  caughtUp: boolean;
}

/** How far the group has committed towards `target` (default: the topic's end now). */
export async function groupProgress(
  admin: Admin,
  groupId: string,
  topic: string,
  target?: Map<number, bigint>,
): Promise<GroupProgress> {
  const goal = target ?? (await endOffsets(admin, topic));
  const committed = await committedOffsets(admin, groupId, topic);
  let [done, total, caughtUp] = [0n, 0n, true];
  for (const [partition, high] of goal) {
    const offset = committed.get(partition) ?? 0n;
    done += offset < high ? offset : high;
    total += high;
    if (offset < high) caughtUp = false;
  }
  return { done, total, caughtUp };
}

export interface CatchUpOptions {
  /** Default: the topic's end when the wait starts. */
  target?: Map<number, bigint>;
  /** Fail after this long, naming the group and how far it got (default: wait forever). */
  timeoutMs?: number;
  pollMs?: number;
  onProgress?: (done: bigint, total: bigint) => void;
}

export class CatchUpTimeoutError extends Error {
  override name = 'CatchUpTimeoutError';
}

/** Waits until the group has committed every partition of `topic` up to the target. */
export async function waitUntilCaughtUp(
  admin: Admin,
  groupId: string,
  topic: string,
  options: CatchUpOptions = {},
): Promise<void> {
  const target = options.target ?? (await endOffsets(admin, topic));
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (;;) {
    const progress = await groupProgress(admin, groupId, topic, target);
    options.onProgress?.(progress.done, progress.total);
    if (progress.caughtUp) return;
    if (Date.now() >= deadline)
      throw new CatchUpTimeoutError(
        `group ${groupId} did not catch up with ${topic} within ${options.timeoutMs} ms: ${progress.done} of ${progress.total} records committed`,
      );
    await sleep(options.pollMs ?? 250);
  }
}

/** One record of a snapshot, as stored: a tombstone has a null value, a keyless record a null key. */
export interface SnapshotRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** The record's Kafka timestamp, ms since the epoch. */
  timestamp: number;
}

export interface SnapshotOptions {
  /** Offsets read through so far, of all the snapshot covers (from each partition's start to its end). */
  onProgress?: (done: bigint, total: bigint) => void;
}

/**
 * Reads `topic` from offset 0 up to its end offsets at the time of the call, record by record in
 * each partition's order. A fresh consumer group of its own, deleted afterwards.
 */
export async function readTopicSnapshot(
  config: ClientConfig,
  topic: string,
  onRecord: (value: Buffer, offset: string, partition: number) => void | Promise<void>,
): Promise<number> {
  return readTopicSnapshotRecords(config, topic, (record) =>
    onRecord(record.value ?? Buffer.alloc(0), record.offset, record.partition),
  );
}

/**
 * Like readTopicSnapshot, with each record's key and null values kept: what a compacted topic's
 * reader needs to apply latest-wins per key and tombstones.
 */
export async function readTopicSnapshotRecords(
  config: ClientConfig,
  topic: string,
  onRecord: (record: SnapshotRecord) => void | Promise<void>,
  options: SnapshotOptions = {},
): Promise<number> {
  const kafka = createKafka(config, 'parley-snapshot');
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `parley.snapshot.${process.pid}.${Date.now()}`;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const end = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    // A compacted or retention-trimmed partition starts past 0; one whose records are all gone
    // (start = end) has nothing to read and must not be waited for.
    const start = new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
    // Partitions with records left to read; the next offset each must reach.
    const remaining = new Map([...end].filter(([partition, high]) => high > start.get(partition)!));
    const total = [...remaining].reduce((sum, [partition, high]) => sum + high - start.get(partition)!, 0n);
    // The next offset to read per partition, for progress.
    const position = new Map(start);
    const report = () => {
      let done = 0n;
      for (const [partition, at] of position) {
        const high = end.get(partition)!;
        done += (at < high ? at : high) - start.get(partition)!;
      }
      options.onProgress?.(done, total);
    };
    report();
    if (remaining.size === 0) return 0;
    const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4_194_304 });
    await consumer.connect();
    let read = 0;
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const high = end.get(batch.partition)!;
              for (const message of batch.messages) {
                if (BigInt(message.offset) >= high) break;
                read++;
                await onRecord({
                  partition: batch.partition,
                  offset: message.offset,
                  key: message.key ?? null,
                  value: message.value ?? null,
                  timestamp: Number(message.timestamp),
                });
              }
              // Offsets past the last record (e.g. control records) still count as read through.
              const last = batch.messages.at(-1);
              const next = last ? BigInt(last.offset) + 1n : BigInt(batch.lastOffset()) + 1n;
              position.set(batch.partition, next);
              if (next >= high) remaining.delete(batch.partition);
              report();
              if (remaining.size === 0) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return read;
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
