import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createPgPool } from '../../../core/clients.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';

const pool = createPgPool(config.clients);
after(() => pool.end());

test('a pg transaction commits atomically and a rolled-back one leaves nothing', async () => {
  const table = uniqueName('stack_test');
  await pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY, note text NOT NULL)`);
  try {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${table} VALUES (1, 'kept'), (2, 'kept too')`);
      await client.query('COMMIT');
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${table} VALUES (3, 'discarded')`);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const { rows } = await pool.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`);
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 2],
    );
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
  }
});
