import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createClickHouse } from '../../../core/clients.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';

const client = createClickHouse(config.clients);
after(() => client.close());

test('@clickhouse/client inserts rows and selects an aggregate', async () => {
  const table = uniqueName('stack_test');
  // Old-and-new-compatible DDL: ClickHouse 18.16 and current releases both accept this form.
  await client.command({
    query: `CREATE TABLE ${table} (day Date, model String, tokens UInt32) ENGINE = MergeTree() PARTITION BY toYYYYMM(day) ORDER BY (model, day)`,
  });
  try {
    await client.insert({
      table,
      format: 'JSONEachRow',
      values: [
        { day: '2026-11-24', model: 'gemma', tokens: 10 },
        { day: '2026-11-24', model: 'gemma', tokens: 5 },
        { day: '2026-11-24', model: 'llama', tokens: 7 },
      ],
    });
    const result = await client.query({
      query: `SELECT model, toUInt32(sum(tokens)) AS total FROM ${table} GROUP BY model ORDER BY model`,
      format: 'JSONEachRow',
    });
    assert.deepEqual(await result.json(), [
      { model: 'gemma', total: 15 },
      { model: 'llama', total: 7 },
    ]);
  } finally {
    await client.command({ query: `DROP TABLE IF EXISTS ${table}` });
  }
});
