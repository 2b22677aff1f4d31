// The Cassandra projector on the real runtime, Kafka and Cassandra.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import avro from 'avsc';
import { after, before, test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { createCassandraClient, createKafka } from '../../../core/clients.ts';
import { createEventProducer, type EventProducer } from '../../../producers/eventProducer.ts';
import { provisionTopics } from '../../../producers/topics.ts';
import { formatDifference, reconcileCassandra } from '../reconcile.ts';
import { eventually, within } from '../../../test-helpers/bounded.ts';
import { config } from '../../../test-helpers/config.ts';
import { consumeFrom } from '../../../test-helpers/kafka.ts';
import {
  createChatTopic,
  createTestKeyspace,
  projectTopic,
  projectorRuntime,
  testSerde,
  waitForCatchUp,
} from '../../../test-helpers/projector.ts';
import { eventDefinition } from '../../../schemas/catalog.ts';
import type { EventMap, EventName } from '../../../schemas/generated/events.ts';
import { DLQ_HEADERS } from '../../runtime/deadLetter.ts';
import { scriptedChat, user } from './scriptedChat.fixture.ts';

const client = createCassandraClient(config.clients);
let producer: EventProducer;
before(async () => {
  await client.connect();
  producer = await createEventProducer(config.clients);
});
after(async () => {
  await producer.close();
  await client.shutdown();
});

async function dump(keyspace: string): Promise<Record<string, unknown[]>> {
  const tables: Record<string, string> = {
    chats: 'chat_id, user_id, title, created_at, deleted_at, event_id, writetime(title) AS wt',
    chats_by_user: 'user_id, chat_id, title, last_activity_at, deleted_at, writetime(last_activity_at) AS wt',
    chats_by_activity: 'user_id, last_activity_at, chat_id, event_id, writetime(event_id) AS wt',
    messages_by_chat:
      'chat_id, bucket, message_id, parent_message_id, role, content, status, rating, tokens_out, event_id, writetime(status) AS wt',
    message_ratings:
      'chat_id, message_id, rating, comment, rating_reasons, event_id, writetime(rating) AS wt',
  };
  const out: Record<string, unknown[]> = {};
  for (const [table, columns] of Object.entries(tables)) {
    const rows = (await client.execute(`SELECT ${columns} FROM ${keyspace}.${table}`)).rows.map((r) =>
      JSON.stringify(r, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
    );
    out[table] = rows.sort();
  }
  return out;
}

/** The record of an event the contract's checks would refuse: encoded by Avro alone. */
async function recordBypassingValidation<N extends EventName>(name: N, event: EventMap[N], topic: string) {
  const valid = await producer.toRecord(name, { ...event, message_id: uuidv7() }, { topic });
  const body = avro.Type.forSchema(eventDefinition(name).schema as avro.Schema).toBuffer(event);
  return { ...valid, value: Buffer.concat([valid.value.subarray(0, 5), body]) };
}
test('every chat event type lands in the read models, a rating before its answer included', async () => {
  const topic = await createChatTopic();
  const keyspace = await createTestKeyspace();
  const { items, ids } = scriptedChat();
  await within('publishing', 60_000, producer.publishMany(items, { topic }));
  await projectTopic(client, topic, keyspace);

  const chat = (
    await client.execute(`SELECT * FROM ${keyspace}.chats WHERE chat_id = ?`, [ids.chat], { prepare: true })
  ).first();
  assert.equal(chat.get('user_id').toString(), user);
  assert.equal(chat.get('title'), 'Trip plans');
  assert.ok(chat.get('deleted_at') instanceof Date, 'deleted chats are marked, not erased');
  assert.equal(chat.get('event_id').toString(), items[0]!.event.event_id);
  const byUser = (
    await client.execute(`SELECT * FROM ${keyspace}.chats_by_user WHERE user_id = ?`, [user], {
      prepare: true,
    })
  ).rows;
  assert.equal(byUser.length, 1);
  assert.equal(byUser[0]!.get('title'), 'Trip plans');
  assert.equal(
    (byUser[0]!.get('last_activity_at') as Date).getTime(),
    items[6]!.event.occurred_at,
    'last activity = the failed answer',
  );

  const messages = (await client.execute(`SELECT * FROM ${keyspace}.messages_by_chat`)).rows;
  const byId = new Map(messages.map((m) => [m.get('message_id').toString(), m]));
  assert.deepEqual([...byId.keys()].sort(), [ids.p1, ids.a1, ids.a2, ids.f1].sort());
  assert.equal(byId.get(ids.p1)!.get('role'), 'USER');
  assert.equal(byId.get(ids.p1)!.get('content'), 'Plan a trip to Lisbon');
  assert.equal(byId.get(ids.a1)!.get('status'), 'ANSWERED');
  assert.equal(byId.get(ids.a1)!.get('rating'), 'THUMBS_DOWN', 'the early rating survived the answer');
  assert.equal(byId.get(ids.a1)!.get('content'), 'Visit Alfama.');
  assert.equal(byId.get(ids.a2)!.get('parent_message_id').toString(), ids.p1, 'regenerations are siblings');
  assert.equal(byId.get(ids.f1)!.get('status'), 'FAILED');
  assert.equal(byId.get(ids.f1)!.get('error_code'), 'TIMEOUT');
  const page = (
    await client.execute(
      `SELECT message_id FROM ${keyspace}.messages_by_chat WHERE chat_id = ? AND bucket = ?`,
      [ids.chat, byId.get(ids.p1)!.get('bucket')],
      { prepare: true },
    )
  ).rows.map((r) => r.get('message_id').toString());
  assert.deepEqual(
    page,
    [ids.f1, ids.a2, ids.a1, ids.p1],
    'one range read returns the history, newest first',
  );

  const rating = (
    await client.execute(`SELECT * FROM ${keyspace}.message_ratings WHERE chat_id = ?`, [ids.chat], {
      prepare: true,
    })
  ).first();
  assert.equal(rating.get('comment'), 'too vague');
  const report = await reconcileCassandra(config.clients, client, testSerde(), topic, keyspace);
  assert.deepEqual(report.differences.map(formatDifference), []);
});

test('replaying the log, twice or into a fresh keyspace, leaves identical tables', async () => {
  const topic = await createChatTopic();
  const [first, second] = [await createTestKeyspace(), await createTestKeyspace()];
  const { items } = scriptedChat();
  await within('publishing', 60_000, producer.publishMany([...items, ...scriptedChat().items], { topic }));
  await projectTopic(client, topic, first);
  const once = await dump(first);
  await projectTopic(client, topic, first); // a new group: the whole log again
  assert.deepEqual(await dump(first), once);
  await projectTopic(client, topic, second);
  assert.deepEqual(await dump(second), once);
  assert.ok(once.messages_by_chat!.length === 8);
});

test('a poison record goes to the dead-letter topic with its reason, and the next record is projected', async () => {
  const topic = await createChatTopic(1);
  const keyspace = await createTestKeyspace();
  const { items, ids } = scriptedChat();
  const garbage = {
    topic,
    key: ids.chat,
    value: Buffer.from('not avro at all'),
    headers: { origin: 'test' },
  };
  // A v4 message id: the producer refuses it, so the record is made as a foreign producer would.
  const v4Prompt = {
    ...(items[2]!.event as EventMap['PromptSubmitted']),
    message_id: '3b241101-e2bb-4255-8caf-4136c566a962',
  };
  const badRecord = await recordBypassingValidation('PromptSubmitted', v4Prompt, topic);
  await within('sending raw records', 60_000, producer.transport.send([garbage, badRecord]));
  await within('publishing', 60_000, producer.publishMany([items[0]!], { topic }));
  await projectTopic(client, topic, keyspace);

  const dead = await consumeFrom(`${topic}.dlq`, new Map([[0, 0n]]), 2);
  assert.equal(dead[0]!.headers[DLQ_HEADERS.sourceTopic], topic);
  assert.equal(dead[0]!.headers[DLQ_HEADERS.sourceOffset], '0');
  assert.match(dead[0]!.headers[DLQ_HEADERS.reason]!, /wire format/);
  assert.equal(dead[0]!.headers.origin, 'test', 'original headers are kept');
  assert.equal(dead[0]!.value.toString(), 'not avro at all', 'the original bytes are kept');
  assert.equal(dead[1]!.headers[DLQ_HEADERS.sourceOffset], '1');
  assert.match(dead[1]!.headers[DLQ_HEADERS.reason]!, /not a UUIDv7/);
  assert.equal(dead[1]!.headers[DLQ_HEADERS.errorClass], 'PoisonRecordError');
  assert.ok(dead[1]!.headers[DLQ_HEADERS.stack]!.length > 0);
  const chat = await client.execute(`SELECT title FROM ${keyspace}.chats WHERE chat_id = ?`, [ids.chat], {
    prepare: true,
  });
  assert.equal(chat.rowLength, 1, 'the record after the poison ones was projected');
});

test('a dead-letter topic that refuses a record pauses fetching and retries: nothing committed past it, nothing lost', async () => {
  // The dead-letter topic takes at most 1,000 bytes, so the 5,000-byte undecodable record is refused
  // (a real broker error, no fault injection) until the limit is raised.
  const topic = await createChatTopic(1, { 'max.message.bytes': '1000' });
  const keyspace = await createTestKeyspace();
  const { items, ids } = scriptedChat();
  // Random bytes, so compression cannot shrink it under the limit; 0x01 first: not wire format.
  const refused = Buffer.concat([Buffer.from([1]), randomBytes(4999)]);
  await within(
    'sending raw records',
    60_000,
    producer.transport.send([{ topic, key: 'refused', value: refused, headers: {} }]),
  );
  await within('publishing', 60_000, producer.publishMany([items[0]!], { topic }));
  const runtime = projectorRuntime(client, topic, keyspace);
  const admin = createKafka(config.clients, 'dlq-refusal-test').admin();
  await admin.connect();
  await runtime.start();
  try {
    const chatProjected = async () =>
      (
        await client.execute(`SELECT title FROM ${keyspace}.chats WHERE chat_id = ?`, [ids.chat], {
          prepare: true,
        })
      ).rowLength === 1;
    const paused = async () => (await runtime.metrics.paused.get()).values[0]?.value === 1;
    await eventually(chatProjected, 60_000, 'the record behind the refused one projected');
    await eventually(paused, 30_000, 'fetching paused while the dead-letter topic refuses');
    await new Promise((resolve) => setTimeout(resolve, 3 * config.clients.processor.commitIntervalMs));
    const [offsets] = await admin.fetchOffsets({ groupId: runtime.groupId, topics: [topic] });
    assert.ok(Number(offsets!.partitions[0]!.offset) <= 0, 'no commit past the refused record');

    // The same provisioning that creates topics re-configures them.
    await provisionTopics(admin, [
      {
        topic: `${topic}.dlq`,
        partitions: 1,
        replicationFactor: 1,
        configs: { 'max.message.bytes': '1048588' },
      },
    ]);
    await waitForCatchUp(runtime.groupId, topic, 120_000);
    const [dead] = await consumeFrom(`${topic}.dlq`, new Map([[0, 0n]]), 1);
    assert.equal(dead!.headers[DLQ_HEADERS.sourceOffset], '0');
    assert.deepEqual(dead!.value, refused, 'the original bytes are kept');
    assert.equal(await paused(), false, 'fetching resumed');
  } finally {
    await runtime.stop();
    await admin.disconnect();
  }
});
