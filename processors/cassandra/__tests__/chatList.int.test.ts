// The chat list through the real Kafka, projector and Cassandra: newest activity first, paged by
// cursor, unchanged by out-of-order arrival and replay, deleted chats gone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { InvalidCursorError, listChats } from '../../../api/readModels/chatList.ts';
import { createCassandraClient } from '../../../core/clients.ts';
import {
  createEventProducer,
  type EventProducer,
  type PublishItem,
} from '../../../producers/eventProducer.ts';
import { newEvent } from '../../../producers/newEvent.ts';
import { within } from '../../../test-helpers/bounded.ts';
import { config } from '../../../test-helpers/config.ts';
import {
  createChatTopic,
  createTestKeyspace,
  projectTopic,
  testSerde,
} from '../../../test-helpers/projector.ts';
import { formatDifference, reconcileCassandra } from '../reconcile.ts';

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

const user = uuidv7();
const t0 = Date.now() - 3_600_000;

/** Chat i's last activity is t0 + activity[i] s; `deleted` chats are deleted after their activity. */
function chats(activity: number[], deleted: Set<number>) {
  const ids = activity.map(() => uuidv7());
  const items: PublishItem[] = [];
  activity.forEach((last, i) => {
    const chat_id = ids[i]!;
    items.push({
      name: 'ChatCreated',
      event: newEvent(
        'ChatCreated',
        { chat_id, user_id: user, title: `chat ${i}`, model_version: 'm' },
        { occurredAt: t0 },
      ),
    });
    for (const s of [last / 2, last])
      items.push({
        name: 'PromptSubmitted',
        event: newEvent(
          'PromptSubmitted',
          {
            chat_id,
            user_id: user,
            message_id: uuidv7(),
            parent_message_id: null,
            content: 'hi',
            model_version: 'm',
          },
          { occurredAt: t0 + s * 1000 },
        ),
      });
    if (deleted.has(i))
      items.push({
        name: 'ChatDeleted',
        event: newEvent('ChatDeleted', { chat_id, user_id: user }, { occurredAt: t0 + (last + 1) * 1000 }),
      });
  });
  return { ids, items };
}

/** Each chat's events in reverse time order in the log: every one but the first arrives "late". */
const reversedPerChat = (items: PublishItem[]) =>
  [...items].sort((a, b) => b.event.occurred_at - a.event.occurred_at);

async function allPages(keyspace: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const result = await listChats(client, keyspace, user, { limit, cursor });
    seen.push(...result.items.map((c) => c.title!));
    if (!result.next_cursor) return seen;
    cursor = result.next_cursor;
  }
  throw new Error('more than 50 pages');
}

test('newest activity first, paged by cursor, whatever order the events arrived in; deleted chats gone', async () => {
  const activity = [50, 10, 70, 30, 60, 20, 40];
  const { items } = chats(activity, new Set([4]));
  const topic = await createChatTopic(3);
  await within('publishing', 60_000, producer.publishMany(reversedPerChat(items), { topic }));
  const keyspace = await createTestKeyspace();
  await projectTopic(client, topic, keyspace);

  const newestFirst = ['chat 2', 'chat 0', 'chat 6', 'chat 3', 'chat 5', 'chat 1'];
  assert.deepEqual(await allPages(keyspace, 100), newestFirst, 'one page');
  assert.deepEqual(await allPages(keyspace, 2), newestFirst, 'pages of two');
  assert.deepEqual(await allPages(keyspace, 1), newestFirst, 'pages of one');
  const first = await listChats(client, keyspace, user, { limit: 6 });
  assert.equal(first.next_cursor, null, 'no cursor after the last page');
  assert.equal(first.items[0]!.last_activity_at, new Date(t0 + 70_000).toISOString());

  // Replay into the same keyspace (a new group) and into a fresh one: the same list.
  await projectTopic(client, topic, keyspace);
  assert.deepEqual(await allPages(keyspace, 3), newestFirst, 'replayed over itself');
  const fresh = await createTestKeyspace();
  await projectTopic(client, topic, fresh);
  assert.deepEqual(await allPages(fresh, 3), newestFirst, 'replayed into a fresh keyspace');
  const report = await within(
    'reconcile',
    120_000,
    reconcileCassandra(config.clients, client, testSerde(), topic, keyspace),
  );
  assert.deepEqual(report.differences.map(formatDifference), []);
});

test('a cursor this API did not make is refused, naming the field', async () => {
  const keyspace = await createTestKeyspace();
  await assert.rejects(listChats(client, keyspace, user, { limit: 5, cursor: 'not-a-cursor' }), (error) => {
    assert.ok(error instanceof InvalidCursorError);
    assert.equal(error.field, 'cursor');
    return true;
  });
  await assert.rejects(listChats(client, keyspace, user, { limit: 0 }), RangeError);
});
