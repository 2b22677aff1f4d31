// Reading back what a test produced: remember the end offsets first, then consume from there.
import type { KafkaMessage } from 'kafkajs';
import { createKafka } from '../core/clients.ts';
import { config, uniqueName } from './config.ts';

export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  /** A null value: a compacted topic's deletion of the key. */
  tombstone: boolean;
  headers: Record<string, string>;
}

const toRecord = (partition: number, message: KafkaMessage): ConsumedRecord => ({
  partition,
  offset: message.offset,
  key: message.key?.toString() ?? '',
  value: message.value ?? Buffer.alloc(0),
  tombstone: message.value === null,
  headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
});

/** Consumes `topic` from `from` (per-partition offsets, e.g. core/kafkaProgress endOffsets) until `count` records arrived. */
export async function consumeFrom(
  topic: string,
  from: Map<number, bigint>,
  count: number,
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  return consumeUntil(
    topic,
    from,
    {
      done: (records) => records.length >= count,
      progress: (records) => `only ${records.length} of ${count} records`,
    },
    timeoutMs,
  );
}

export interface ConsumeGoal {
  done: (records: readonly ConsumedRecord[]) => boolean;
  /** How far it got, for the timeout's message. */
  progress: (records: readonly ConsumedRecord[]) => string;
}

/** Consumes `topic` from `from` until `goal.done` says so (checked after each record). */
export async function consumeUntil(
  topic: string,
  from: Map<number, bigint>,
  goal: ConsumeGoal,
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  const kafka = createKafka(config.clients, 'test-reader');
  const groupId = uniqueName('test-reader');
  // A fresh group's committed offsets are where it starts: deterministic, unlike a seek racing the join.
  const admin = kafka.admin();
  await admin.connect();
  await admin.setOffsets({
    groupId,
    topic,
    partitions: [...from].map(([partition, offset]) => ({ partition, offset: String(offset) })),
  });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  const records: ConsumedRecord[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${goal.progress(records)} on ${topic} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          records.push(toRecord(partition, message));
          if (goal.done(records)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
