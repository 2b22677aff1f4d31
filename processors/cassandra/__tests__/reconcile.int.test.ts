// Reconcile compares every table and column: delete or corrupt one cell of each kind and it names
// the table, the row and the column (and the event whose write is missing).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { createCassandraClient } from '../../../core/clients.ts';
import { createEventProducer } from '../../../producers/eventProducer.ts';
import { bucketOf } from '../../../projections/cassandra/messageTime.ts';
import { within } from '../../../test-helpers/bounded.ts';
import { config } from '../../../test-helpers/config.ts';
import {
  createChatTopic,
  createTestKeyspace,
  projectTopic,
  testSerde,
} from '../../../test-helpers/projector.ts';
import { formatDifference, reconcileCassandra } from '../reconcile.ts';
import { scriptedChat, user } from './scriptedChat.fixture.ts';

const client = createCassandraClient(config.clients);
before(() => client.connect());
after(() => client.shutdown());

test(
  'every lost or corrupted cell, row or list entry is named by table, key and column',
  { timeout: 300_000 },
  async () => {
    const topic = await createChatTopic(1);
    const keyspace = await createTestKeyspace();
    // Two scripted chats; the second is renamed but not deleted, so it stays in the list.
    const { items, ids } = scriptedChat();
    const kept = scriptedChat();
    const keptItems = kept.items.filter((i) => i.name !== 'ChatDeleted');
    const producer = await createEventProducer(config.clients);
    await within('publishing', 60_000, producer.publishMany([...items, ...keptItems], { topic }));
    await producer.close();
    await projectTopic(client, topic, keyspace);
    const reconcile = async () =>
      (
        await within(
          'reconcile',
          120_000,
          reconcileCassandra(config.clients, client, testSerde(), topic, keyspace),
        )
      ).differences.map(formatDifference);
    assert.deepEqual(await reconcile(), [], 'clean before the damage');

    const listRow = (
      await client.execute(
        `SELECT last_activity_at FROM ${keyspace}.chats_by_activity WHERE user_id = ?`,
        [user],
        {
          prepare: true,
        },
      )
    ).first();
    const keptActivity = listRow.get('last_activity_at') as Date;
    const bucket = bucketOf(ids.a1);
    const damage: Array<[string, unknown[]]> = [
      // A lost ChatRenamed: the title back to the created one (null).
      [`UPDATE ${keyspace}.chats SET title = null WHERE chat_id = ?`, [ids.chat]],
      // A lost ChatDeleted.
      [
        `UPDATE ${keyspace}.chats_by_user SET deleted_at = null WHERE user_id = ? AND chat_id = ?`,
        [user, ids.chat],
      ],
      // A lost AttachmentUploaded / prompt: activity moved back.
      [
        `UPDATE ${keyspace}.chats_by_user SET last_activity_at = ? WHERE user_id = ? AND chat_id = ?`,
        [new Date(0), user, kept.ids.chat],
      ],
      // The list row of a live chat gone, and a stale one left behind.
      [
        `DELETE FROM ${keyspace}.chats_by_activity WHERE user_id = ? AND last_activity_at = ? AND chat_id = ?`,
        [user, keptActivity, kept.ids.chat],
      ],
      [
        `UPDATE ${keyspace}.chats_by_activity SET event_id = ? WHERE user_id = ? AND last_activity_at = ? AND chat_id = ?`,
        [uuidv7(), user, new Date(1), ids.chat],
      ],
      // The rating columns of a message row.
      [
        `UPDATE ${keyspace}.messages_by_chat SET rating = null WHERE chat_id = ? AND bucket = ? AND message_id = ?`,
        [ids.chat, bucket, ids.a1],
      ],
      [
        `UPDATE ${keyspace}.messages_by_chat SET content = 'tampered' WHERE chat_id = ? AND bucket = ? AND message_id = ?`,
        [ids.chat, bucket, ids.p1],
      ],
      // A whole rating row lost.
      [`DELETE FROM ${keyspace}.message_ratings WHERE chat_id = ? AND message_id = ?`, [ids.chat, ids.a1]],
    ];
    for (const [cql, params] of damage) await client.execute(cql, params, { prepare: true });

    const found = await reconcile();
    const expected = [
      /^wrong value +chats \(chat_id="[^"]+"\)\.title: expected "Trip plans" \(event [0-9a-f-]+\), found null$/,
      /^wrong value +chats_by_user \(user_id="[^"]+", chat_id="[^"]+"\)\.deleted_at: expected "[^"]+" \(event [0-9a-f-]+\), found null$/,
      /^wrong value +chats_by_user \(.*\)\.last_activity_at: expected "[^"]+" \(event [0-9a-f-]+\), found "1970-01-01T00:00:00.000Z"$/,
      /^missing row +chats_by_activity \(user_id="[^"]+", last_activity_at="[^"]+", chat_id="[^"]+"\): written by event [0-9a-f-]+$/,
      /^extra row +chats_by_activity \(user_id="[^"]+", last_activity_at="1970-01-01T00:00:00.001Z", chat_id="[^"]+"\)/,
      /^wrong value +messages_by_chat \(.*\)\.rating: expected "THUMBS_DOWN" \(event [0-9a-f-]+\), found null$/,
      /^wrong value +messages_by_chat \(.*\)\.content: expected "Plan a trip to Lisbon" \(event [0-9a-f-]+\), found "tampered"$/,
      /^missing row +message_ratings \(chat_id="[^"]+", message_id="[^"]+"\): written by event [0-9a-f-]+$/,
    ];
    for (const pattern of expected)
      assert.equal(
        found.filter((line) => pattern.test(line)).length,
        1,
        `named once: ${pattern}\n${found.join('\n')}`,
      );
    assert.equal(found.length, expected.length, `nothing else:\n${found.join('\n')}`);
  },
);
