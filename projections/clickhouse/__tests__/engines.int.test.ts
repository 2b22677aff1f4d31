// The analytics schema proven on two engines: Debian's ClickHouse 18.16 (the stack's server) and a
// current release (chdb, in process). Same migrations, same rows; every view must equal the same
// aggregate computed directly from its base tables on each engine, and both engines must give
// identical results for every view check and every documented query.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createClickHouse } from '../../../core/clients.ts';
import { createChdbEngine } from '../../../test-helpers/chdbEngine.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { migrateClickHouse } from '../migrate.ts';
import { clickHouseEngine, type SqlEngine } from '../sqlEngine.ts';
import { viewChecks } from '../viewChecks.ts';
import { documentedSql } from './analyticsDocument.ts';
import { insertSampleRows, sampleRows, sampleStart } from './sampleRows.ts';

const database = uniqueName('analytics_engines');
const client = createClickHouse(config.clients);
const chdb = createChdbEngine(database);
const engines: Array<[string, SqlEngine]> = [
  ['ClickHouse 18.16 (stack server)', clickHouseEngine(client, database)],
  ['current ClickHouse (chdb)', chdb],
];
const rows = sampleRows(sampleStart());
const firstRuns = new Map<string, string[]>();

before(async () => {
  for (const [name, engine] of engines) {
    firstRuns.set(name, await migrateClickHouse(engine, database));
    await insertSampleRows(engine, rows);
  }
});

after(async () => {
  await engines[0]![1].dropDatabase(database);
  await client.close();
  chdb.close();
});

/** The same SQL on every engine: its rows per engine, in engine order. */
const onEach = (sql: string) =>
  Promise.all(engines.map(([, engine]) => engine.rows<Record<string, unknown>>(sql)));

test('the engines are 18.16 and a current release', async () => {
  const [old, current] = (await onEach('SELECT version() AS version')).map((result) =>
    String(result[0]?.version),
  );
  assert.match(old!, /^18\.16\./);
  assert.ok(Number(current!.split('.')[0]) >= 24, `chdb runs ${current}`);
});

test('migrations apply every file once, in order; a second run applies nothing', async () => {
  const files = (await readdir(join(import.meta.dirname, '..', 'migrations')))
    .filter((f) => f.endsWith('.sql'))
    .sort();
  for (const [name, engine] of engines) {
    assert.deepEqual(firstRuns.get(name), files, name);
    assert.deepEqual(await migrateClickHouse(engine, database), [], name);
    const [recorded] = await engine.rows<{ n: number }>('SELECT count() AS n FROM schema_migrations');
    assert.equal(recorded?.n, files.length, name);
  }
});

test('both engines build the same tables, views and column types', async () => {
  const [old, current] = await onEach(
    'SELECT table, name, type FROM system.columns WHERE database = currentDatabase() ORDER BY table, name',
  );
  assert.ok(old!.length > 100);
  assert.deepEqual(current, old);
});

test('the sample rows reach every table (latest-wins tables: one row per key)', async () => {
  // Raw counts of a ReplacingMergeTree differ by engine: 26.x drops replaced rows within an insert
  // (optimize_on_insert), 18.16 keeps them until a merge. Both agree on the keys.
  const [old, current] = await onEach(`
    SELECT 'answers' AS t, count() AS n FROM answers
    UNION ALL SELECT 'events' AS t, count() AS n FROM events
    UNION ALL SELECT 'inference_runs' AS t, count() AS n FROM inference_runs
    UNION ALL SELECT 'model_prices' AS t, uniqExact(model_version, valid_from) AS n FROM model_prices
    UNION ALL SELECT 'ratings' AS t, uniqExact(message_id) AS n FROM ratings`);
  const counts = (result: Array<Record<string, unknown>>) =>
    Object.fromEntries(result.map((r) => [r.t, r.n]));
  const expected = {
    answers: rows.answers.length,
    events: rows.events.length,
    inference_runs: rows.inference_runs.length,
    model_prices: new Set(rows.model_prices.map((p) => `${p.model_version}@${p.valid_from}`)).size,
    ratings: new Set(rows.ratings.map((r) => r.message_id)).size,
  };
  assert.deepEqual(counts(old!), expected);
  assert.deepEqual(counts(current!), expected);
});

for (const check of viewChecks) {
  test(`${check.view}: equals the direct aggregate on each engine, identically on both`, async () => {
    const fromViews = await onEach(check.viewSql);
    const direct = await onEach(check.directSql);
    engines.forEach(([name], i) => {
      assert.ok(fromViews[i]!.length > 0, `${name}: the sample gives ${check.view} rows`);
      assert.deepEqual(fromViews[i], direct[i], `${name}: ${check.view} differs from its direct aggregate`);
    });
    assert.deepEqual(fromViews[1], fromViews[0], `${check.view}: the engines disagree`);
  });
}

test('every documented query gives rows, identically on both engines', async () => {
  const queries = (await documentedSql()).filter((d) => d.kind === 'query');
  assert.ok(queries.length >= 10, `docs/analytics.md documents ${queries.length} queries`);
  for (const { name, sql } of queries) {
    const [old, current] = await onEach(sql);
    assert.ok(old!.length > 0, `${name}: no rows`);
    assert.deepEqual(current, old, `${name}: the engines disagree`);
  }
});
