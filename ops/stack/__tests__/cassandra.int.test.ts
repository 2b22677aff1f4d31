import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createCassandraClient } from '../../../core/clients.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';

const client = createCassandraClient(config.clients);
after(() => client.shutdown());

test('cassandra-driver creates a keyspace and table and reads back a row', async () => {
  const keyspace = uniqueName('stack_test');
  await client.execute(
    `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  try {
    await client.execute(
      `CREATE TABLE ${keyspace}.messages (chat_id uuid, seq int, body text, PRIMARY KEY (chat_id, seq))`,
    );
    const chatId = '7d3f3c1e-5b7a-4f61-9a57-8f0a6a1c2b3d';
    const insert = `INSERT INTO ${keyspace}.messages (chat_id, seq, body) VALUES (?, ?, ?)`;
    await client.execute(insert, [chatId, 2, 'second'], { prepare: true });
    await client.execute(insert, [chatId, 1, 'first'], { prepare: true });
    const result = await client.execute(
      `SELECT seq, body FROM ${keyspace}.messages WHERE chat_id = ?`,
      [chatId],
      {
        prepare: true,
      },
    );
    assert.deepEqual(
      result.rows.map((r) => [r.get('seq'), r.get('body')]),
      [
        [1, 'first'],
        [2, 'second'],
      ],
      'rows come back in clustering order',
    );
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  }
});
