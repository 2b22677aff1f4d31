// The outbox end to end on the stack's Connect worker: rows appended in PostgreSQL transactions
// reach Kafka as exactly the records our producers write (value bytes, key, headers, partition).
// Events are routed to scratch topics of this test (aggregatetype = topic), 6 partitions each.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Registry } from 'prom-client';
import { createKafka, createPgPool } from '../../../core/clients.ts';
import {
  createEventProducer,
  EVENT_TYPE_HEADER,
  TRACEPARENT_HEADER,
  type EventProducer,
  type PublishItem,
} from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { catalog } from '../../../schemas/catalog.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { consumeFrom } from '../../../test-helpers/kafka.ts';
import { appendToOutbox, tombstoneRecord, toOutboxRecords, type OutboxRecord } from '../outbox.ts';
import { readSlotLag, registerSlotLagMetrics } from '../slotLag.ts';

const PARTITIONS = 6;
const admin = createKafka(config.clients, 'outbox-test').admin();
const pool = createPgPool(config.clients);
let producer: EventProducer;

const atStart = () => new Map(Array.from({ length: PARTITIONS }, (_, p) => [p, 0n] as const));

async function scratchTopic(): Promise<string> {
  const topic = uniqueName('outbox-test');
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  return topic;
}

/** Each batch in its own transaction, as a writer would commit its state change with its events. */
async function appendInTransactions(batches: OutboxRecord[][]): Promise<void> {
  const client = await pool.connect();
  try {
    for (const batch of batches) {
      await client.query('BEGIN');
      await appendToOutbox(client, batch);
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
}

const chunk = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

before(async () => {
  await admin.connect();
  producer = await createEventProducer(config.clients, { clientId: 'outbox-test' });
});
after(async () => {
  await producer.close();
  await admin.disconnect();
  await pool.end();
});

test('appended events reach Kafka byte-identical to what the producer writes, on the same partitions', async () => {
  const outboxTopic = await scratchTopic();
  const producerTopic = await scratchTopic();
  const workload = new ChatWorkload(new Random(11));
  // The traffic mix (every event type), and new chats for many distinct keys.
  const items: PublishItem[] = Array.from({ length: 800 }, (_, i) =>
    i % 2 === 0 ? workload.next() : workload.sample('ChatCreated'),
  );
  const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const records = await toOutboxRecords(producer, items, { topic: outboxTopic, traceparent: parent });

  await appendInTransactions(chunk(records, 25));
  await producer.publishMany(items, { topic: producerTopic });

  const viaOutbox = await consumeFrom(outboxTopic, atStart(), records.length, 60_000);
  const viaProducer = await consumeFrom(producerTopic, atStart(), items.length, 60_000);
  assert.equal(viaOutbox.length, records.length, 'no extra records (no tombstones for the deletes)');

  const byId = new Map(viaOutbox.map((r) => [r.headers.id, r]));
  for (const [i, record] of records.entries()) {
    const consumed = byId.get(record.eventId);
    assert.ok(consumed, `event ${record.eventId} arrived`);
    const { value } = await producer.toRecord(items[i]!.name, items[i]!.event);
    assert.ok(consumed.value.equals(value), `${record.eventType}: value = the producer's bytes`);
    assert.equal(consumed.key, record.key);
    assert.deepEqual(consumed.headers, {
      id: record.eventId,
      [EVENT_TYPE_HEADER]: items[i]!.name,
      [TRACEPARENT_HEADER]: record.traceparent,
    });
    assert.match(record.traceparent, /^00-0af7651916cd43dd8448eb211c80319c-/, 'the caller’s trace');
  }
  const keyField = (name: string) => catalog.find((e) => e.name === name)!.keyField;
  assert.ok(
    records.every(
      (r, i) =>
        r.key === String((items[i]!.event as unknown as Record<string, unknown>)[keyField(r.eventType)]),
    ),
    'key = the event’s aggregate id',
  );

  // Connect's Java producer and ours both place a key by murmur2 over its UTF-8 bytes.
  const producerPartition = new Map(viaProducer.map((r) => [r.key, r.partition]));
  const keys = new Set(viaOutbox.map((r) => r.key));
  for (const record of viaOutbox)
    assert.equal(record.partition, producerPartition.get(record.key), `partition of key ${record.key}`);
  assert.ok(keys.size > 100, `many keys (${keys.size})`);
  assert.equal(new Set(viaOutbox.map((r) => r.partition)).size, PARTITIONS, 'every partition used');

  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox');
  assert.equal(rows[0]!.n, '0', 'the outbox table stays empty');
  await admin.deleteTopics({ topics: [outboxTopic, producerTopic] });
});

test('a rolled-back transaction publishes nothing', async () => {
  const topic = await scratchTopic();
  const workload = new ChatWorkload(new Random(12));
  const [dropped, kept] = await toOutboxRecords(producer, [workload.next(), workload.next()], { topic });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await appendToOutbox(client, [dropped!]);
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
  await appendInTransactions([[kept!]]);
  const [record] = await consumeFrom(topic, atStart(), 1, 30_000);
  assert.equal(record!.headers.id, kept!.eventId);
  await admin.deleteTopics({ topics: [topic] });
});

test('a row without a payload reaches Kafka as a tombstone for its key (compacted topics)', async () => {
  const topic = await scratchTopic();
  const workload = new ChatWorkload(new Random(13));
  const [record] = await toOutboxRecords(producer, [workload.next()], { topic });
  await appendInTransactions([[record!, tombstoneRecord(topic, record!.key, 'FeedbackRecord')]]);
  const [live, tombstone] = (await consumeFrom(topic, atStart(), 2, 30_000)).sort((a, b) =>
    Number(BigInt(a.offset) - BigInt(b.offset)),
  );
  assert.equal(live!.tombstone, false);
  assert.equal(tombstone!.tombstone, true);
  assert.equal(tombstone!.key, record!.key);
  assert.equal(tombstone!.partition, live!.partition, 'same key, same partition: compaction deletes it');
  await admin.deleteTopics({ topics: [topic] });
});

test('the connector’s replication slot is active and close to the WAL’s end', async () => {
  const lag = await readSlotLag(pool);
  assert.ok(lag, 'the slot exists');
  assert.equal(lag.active, true);
  assert.notEqual(lag.walStatus, 'lost');
  assert.ok(lag.lagBytes < 64 * 1024 * 1024, `lag ${lag.lagBytes} bytes`);

  const registry = new Registry();
  registerSlotLagMetrics(registry, pool);
  const metrics = await registry.metrics();
  assert.match(metrics, /^parley_outbox_slot_active\{slot="parley_outbox"\} 1$/m);
  assert.match(metrics, /^parley_outbox_slot_lag_bytes\{slot="parley_outbox"\} \d+$/m);
  assert.match(metrics, /^parley_outbox_slot_retained_bytes\{slot="parley_outbox"\} \d+$/m);
});

test('the slot gauges of a slot that does not exist say inactive', async () => {
  const registry = new Registry();
  registerSlotLagMetrics(registry, pool, 'no_such_slot');
  assert.match(await registry.metrics(), /^parley_outbox_slot_active\{slot="no_such_slot"\} 0$/m);
});
