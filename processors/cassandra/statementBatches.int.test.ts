// Batch planning and writing against the real Cassandra of the stack: routing keys hash to the
// token Cassandra itself gives the row, batches keep to their limits, and every row lands.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { v7 as uuidv7, v4 as uuidv4 } from 'uuid';
import { createCassandraClient } from '../../core/clients.ts';
import { newEvent } from '../../producers/newEvent.ts';
import { projectChatEvent } from '../../projections/cassandra/chatProjection.ts';
import { partitionKeyOf, type RowWrite } from '../../projections/cassandra/rowWrites.ts';
import { config } from '../../test-helpers/config.ts';
import { createTestKeyspace } from '../../test-helpers/projector.ts';
import { planBatches, routingKey, writeRows } from './statementBatches.ts';

const client = createCassandraClient(config.clients);
let keyspace: string;
before(async () => {
  await client.connect();
  keyspace = await createTestKeyspace();
});
after(() => client.shutdown());

/** Prompts of one chat each: a message row and a chat-list row per prompt. */
function promptStatements(n: number, content = 'hi'): RowWrite[] {
  return Array.from({ length: n }, (_, i) =>
    projectChatEvent(
      'PromptSubmitted',
      newEvent('PromptSubmitted', {
        chat_id: uuidv7(),
        user_id: uuidv4(),
        message_id: uuidv7(),
        parent_message_id: null,
        content,
        model_version: 'm',
      }),
      { offset: String(i) },
    ),
  ).flat();
}

test('routing keys hash to the token Cassandra gives the row (single and composite keys)', async () => {
  const [message, listRow] = promptStatements(1) as [RowWrite, RowWrite];
  await writeRows(client, keyspace, [message, listRow], { maxStatements: 64, maxBytes: 40_960 });
  const cases: Array<[RowWrite, string]> = [
    [
      message,
      `SELECT token(chat_id, bucket) AS t FROM ${keyspace}.messages_by_chat WHERE chat_id = ? AND bucket = ?`,
    ],
    [listRow, `SELECT token(user_id) AS t FROM ${keyspace}.chats_by_user WHERE user_id = ?`],
  ];
  for (const [statement, query] of cases) {
    const row = (await client.execute(query, partitionKeyOf(statement), { prepare: true })).first();
    assert.ok(row, 'the row was written');
    const ours = client.metadata.newToken(routingKey(partitionKeyOf(statement)));
    assert.equal(ours.toString(), String(row.get('t')));
  }
});

test('batches keep to the statement and size limits; an oversized statement goes alone', () => {
  const small = promptStatements(50);
  const counted = planBatches(client, keyspace, small, { maxStatements: 16, maxBytes: 1_000_000 });
  assert.deepEqual(
    counted.map((b) => b.length),
    [16, 16, 16, 16, 16, 16, 4],
  );
  const big = promptStatements(1, 'x'.repeat(5_000))[0]!;
  const sized = planBatches(client, keyspace, [small[0]!, big, small[1]!], {
    maxStatements: 64,
    maxBytes: 2_000,
  });
  assert.deepEqual(
    sized.map((b) => b.length),
    [1, 1, 1],
    'a statement larger than the byte limit is never batched with others',
  );
  assert.deepEqual(sized.flat(), [small[0], big, small[1]], 'nothing dropped or reordered');
});

test('every row of a many-batch write lands, large ones included', async () => {
  const statements = [...promptStatements(300), ...promptStatements(3, 'y'.repeat(60_000))];
  await writeRows(client, keyspace, statements, { maxStatements: 64, maxBytes: 40_960 });
  for (const statement of statements.filter((s) => s.table === 'messages_by_chat')) {
    const found = await client.execute(
      `SELECT content FROM ${keyspace}.messages_by_chat WHERE chat_id = ? AND bucket = ?`,
      partitionKeyOf(statement),
      { prepare: true },
    );
    assert.equal(found.rowLength, 1);
  }
});
