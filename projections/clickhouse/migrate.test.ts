import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { sqlStatements } from './migrate.ts';

test('a migration splits into statements where a line ends in ;, whole-line comments dropped', () => {
  const sql = `-- why; not a statement
CREATE TABLE IF NOT EXISTS a (
  x String -- inline notes stay
);

-- another
CREATE VIEW IF NOT EXISTS b AS SELECT 'x;y' AS z;
SELECT 1`;
  assert.deepEqual(sqlStatements(sql), [
    'CREATE TABLE IF NOT EXISTS a (\n  x String -- inline notes stay\n)',
    "CREATE VIEW IF NOT EXISTS b AS SELECT 'x;y' AS z",
    'SELECT 1',
  ]);
});

test('every migration statement is idempotent (IF NOT EXISTS)', async () => {
  const dir = join(import.meta.dirname, 'migrations');
  for (const file of await readdir(dir)) {
    for (const statement of sqlStatements(await readFile(join(dir, file), 'utf8')))
      assert.match(
        statement,
        /^CREATE (TABLE|VIEW|MATERIALIZED VIEW) IF NOT EXISTS /,
        `${file}: ${statement.slice(0, 60)}`,
      );
  }
});
