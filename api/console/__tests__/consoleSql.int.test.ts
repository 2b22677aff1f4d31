// The console's analytics SQL on both engines (the stack's ClickHouse 18.16 and a current release in
// chdb), on the analytics test's sample rows: the same figures on each, and the same as quantiles
// and counts computed straight from the base tables.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClickHouse } from '../../../core/clients.ts';
import { migrateClickHouse } from '../../../projections/clickhouse/migrate.ts';
import { clickHouseEngine, type SqlEngine } from '../../../projections/clickhouse/sqlEngine.ts';
import {
  insertSampleRows,
  sampleRows,
  sampleStart,
} from '../../../projections/clickhouse/__tests__/sampleRows.ts';
import { createChdbEngine } from '../../../test-helpers/chdbEngine.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import {
  failedAnswersSql,
  modelStatsSql,
  toFailedAnswers,
  toModelFigures,
  type FailedAnswersRow,
  type ModelStatsRow,
} from '../modelFigures.ts';

const database = uniqueName('console_sql');
const client = createClickHouse(config.clients);
const chdb = createChdbEngine(database);
const engines: Array<[string, SqlEngine]> = [
  ['ClickHouse 18.16', clickHouseEngine(client, database)],
  ['current ClickHouse (chdb)', chdb],
];
const start = sampleStart();
// The whole sample, and its last two days only (the window cuts the first day off).
const windows = [start, new Date(start.getTime() + 86_400_000)];

before(async () => {
  const rows = sampleRows(start);
  for (const [, engine] of engines) {
    await migrateClickHouse(engine, database);
    await insertSampleRows(engine, rows);
  }
});

after(async () => {
  await engines[0]![1].dropDatabase(database);
  await client.close();
  chdb.close();
});

const seconds = (since: Date) => Math.floor(since.getTime() / 1000);

test('latency and TTFT per version: equal on both engines, and equal to the base table', async () => {
  for (const since of windows) {
    const [old, current] = await Promise.all(
      engines.map(async ([, engine]) =>
        toModelFigures(await engine.rows<ModelStatsRow>(modelStatsSql(since))),
      ),
    );
    assert.ok(old!.length >= 2, 'several versions in the window');
    assert.ok(
      old!.some((m) => m.latency_p95_ms !== null && m.ttft_p50_ms !== null),
      JSON.stringify(old),
    );
    assert.deepEqual(current, old);
    const [direct] = await Promise.all(
      engines.map(([, engine]) =>
        engine.rows<ModelStatsRow>(`
          SELECT
            model_version,
            count() AS runs,
            countIf(status = 'failed') AS failures,
            countIf(status = 'ok' AND cache_hit = 0) AS model_answers,
            quantilesIf(0.5, 0.95, 0.99)(toFloat64(latency_ms), status = 'ok' AND cache_hit = 0) AS latency_ms_q,
            countIf(has_ttft = 1 AND cache_hit = 0) AS ttft_runs,
            quantilesIf(0.5, 0.95, 0.99)(toFloat64(ttft_ms), has_ttft = 1 AND cache_hit = 0) AS ttft_ms_q
          FROM inference_runs
          WHERE toStartOfMinute(occurred_at) >= toStartOfMinute(toDateTime(${seconds(since)}))
          GROUP BY model_version
          ORDER BY model_version`),
      ),
    );
    assert.deepEqual(old, toModelFigures(direct!));
  }
});

test('failed answers by error code: equal on both engines, and equal to the base table', async () => {
  for (const since of windows) {
    const [old, current] = await Promise.all(
      engines.map(async ([, engine]) =>
        toFailedAnswers(await engine.rows<FailedAnswersRow>(failedAnswersSql(since))),
      ),
    );
    assert.deepEqual(current, old);
    const [{ n } = { n: -1 }] = await engines[0]![1].rows<{ n: number }>(
      `SELECT count() AS n FROM answers WHERE status = 'failed' AND occurred_at >= toDateTime(${seconds(since)})`,
    );
    assert.equal(old!.total, n);
  }
  const whole = toFailedAnswers(await engines[0]![1].rows<FailedAnswersRow>(failedAnswersSql(windows[0]!)));
  assert.ok(whole.by_code.length >= 2, JSON.stringify(whole));
});
