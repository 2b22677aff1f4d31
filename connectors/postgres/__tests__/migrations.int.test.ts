// The migration runner against the real PostgreSQL: each file once, in order, whoever runs it.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createPgPool } from '../../../core/clients.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { applyPostgresMigrations, MigrationError } from '../migrations.ts';

const pool = createPgPool(config.clients);
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
  await pool.end();
});

/** A component of its own: a folder of migrations creating tables named after it. */
async function component() {
  const name = uniqueName('mig');
  const dir = await mkdtemp(join(tmpdir(), 'parley-migrations-'));
  cleanups.push(
    () => rm(dir, { recursive: true, force: true }),
    () => pool.query(`DROP TABLE IF EXISTS ${name}_a, ${name}_b, ${name}_c`),
    () => pool.query('DELETE FROM schema_migrations WHERE component = $1', [name]),
  );
  const write = (file: string, sql: string) => writeFile(join(dir, file), sql);
  await write('001_a.sql', `CREATE TABLE ${name}_a (id int PRIMARY KEY);`);
  await write('002_b.sql', `CREATE TABLE ${name}_b (id int); INSERT INTO ${name}_a VALUES (1);`);
  await write('README.md', 'not a migration');
  return { name, dir, write };
}

test('each migration applies once: a second run applies nothing, a new file alone', async () => {
  const { name, dir, write } = await component();
  assert.deepEqual(await applyPostgresMigrations(pool, name, dir), [1, 2]);
  assert.deepEqual(await applyPostgresMigrations(pool, name, dir), []);
  await write('010_c.sql', `CREATE TABLE ${name}_c (id int);`);
  assert.deepEqual(await applyPostgresMigrations(pool, name, dir), [10]);
  const { rows } = await pool.query<{ version: number }>(
    'SELECT version FROM schema_migrations WHERE component = $1 ORDER BY version',
    [name],
  );
  assert.deepEqual(
    rows.map((r) => r.version),
    [1, 2, 10],
  );
});

test('runners started together apply every file exactly once', async () => {
  const { name, dir } = await component();
  const runs = await Promise.all(Array.from({ length: 4 }, () => applyPostgresMigrations(pool, name, dir)));
  assert.deepEqual(runs.flat().sort(), [1, 2]);
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}_a`);
  assert.equal(rows[0]!.n, '1', 'migration 002 ran once');
});

test('a failing migration names its file and leaves the ones before it applied', async () => {
  const { name, dir, write } = await component();
  await write('003_broken.sql', `CREATE TABLE ${name}_c (id int); SELECT no_such_column FROM ${name}_a;`);
  await assert.rejects(applyPostgresMigrations(pool, name, dir), (error: unknown) => {
    assert.ok(error instanceof MigrationError);
    assert.match(error.message, new RegExp(`${name} migration 003_broken\\.sql failed: .*no_such_column`));
    return true;
  });
  const { rows } = await pool.query<{ version: number }>(
    'SELECT version FROM schema_migrations WHERE component = $1 ORDER BY version',
    [name],
  );
  assert.deepEqual(
    rows.map((r) => r.version),
    [1, 2],
  );
  const c = await pool.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [`${name}_c`]);
  assert.equal(c.rows[0]!.t, null, 'the failed file left nothing behind');
});

test('two files with one version are refused', async () => {
  const { name, dir, write } = await component();
  await write('002_again.sql', 'SELECT 1;');
  await assert.rejects(applyPostgresMigrations(pool, name, dir), /share version 2/);
});
