// docs/analytics.md, checked as a data scientist would use it: every documented query runs through
// the real clickhouse-client (Debian's 18.16, as the stack installs it) against the stack's server,
// over known rows, and returns the rows those rows imply; every table and view is documented with
// exactly the columns and types the migrations build.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createClickHouse } from '../../../core/clients.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { migrateClickHouse } from '../migrate.ts';
import { clickHouseEngine } from '../sqlEngine.ts';
import { documentedColumns, documentedSql } from './analyticsDocument.ts';
import { insertSampleRows, sampleDate, sampleRows, sampleStart } from './sampleRows.ts';

const CLICKHOUSE_CLIENT = '/usr/bin/clickhouse-client';
const database = uniqueName('analytics_docs');
const client = createClickHouse(config.clients);
const engine = clickHouseEngine(client, database);
const start = sampleStart();
const rows = sampleRows(start);
const day = (n: number) => sampleDate(start, n);

type Row = Record<string, unknown>;

/** Runs one query as a reader would: clickhouse-client on the native port, `--database` given. */
function clickhouseClient(sql: string): Promise<Row[]> {
  const { username, password } = config.clients.clickhouse;
  const args = [
    '--host',
    config.stack.PARLEY_HOST,
    '--port',
    String(config.stack.PARLEY_CLICKHOUSE_TCP_PORT),
    '--user',
    username,
    ...(password ? ['--password', password] : []),
    '--database',
    database,
    '--format',
    'JSONEachRow',
    '--output_format_json_quote_64bit_integers=0',
    '--query',
    sql,
  ];
  return new Promise((resolve, reject) => {
    // stdin closed: given a pipe, the client may wait to read INSERT data from it.
    const child = spawn(CLICKHOUSE_CLIENT, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`clickhouse-client exited ${code}: ${stderr.trim()}`));
      else
        resolve(
          stdout
            .split('\n')
            .filter((line) => line.trim().length > 0)
            .map((line) => JSON.parse(line) as Row),
        );
    });
  });
}

const near = (actual: unknown, expected: number, what: string) =>
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) < 1e-6,
    `${what}: ${String(actual)} ≠ ${expected}`,
  );

const pick = (result: Row[], ...columns: string[]) =>
  result.map((row) => Object.fromEntries(columns.map((c) => [c, row[c]])));

/** What each documented query returns on the sample rows (see sampleRows.ts for the arithmetic). */
const expectations: Record<string, (result: Row[]) => void> = {
  'kafka-positions': (result) => {
    const last = new Map<string, number>();
    for (const a of rows.answers) {
      const key = `${a.kafka_topic}/${a.kafka_partition}`;
      last.set(key, Math.max(last.get(key) ?? -1, a.kafka_offset));
    }
    assert.deepEqual(
      result.map((r) => [`${String(r.kafka_topic)}/${String(r.kafka_partition)}`, r.last_offset]),
      [...last].sort(([a], [b]) => a.localeCompare(b)),
    );
  },
  'latest-ratings': (result) => {
    assert.equal(result.length, 5);
    assert.deepEqual(result[0], { message_id: 'msg-a01', rating: 'negative', reasons: ['inaccurate'] });
    assert.deepEqual(result.at(-1), { message_id: 'msg-a11', rating: 'positive', reasons: [] });
  },
  'latest-ratings-final': (result) => {
    assert.equal(result.length, 5);
    assert.deepEqual(result[0], { message_id: 'msg-a01', rating: 'negative', comment: 'wrong date' });
    assert.deepEqual(result.at(-1), { message_id: 'msg-a11', rating: 'positive', comment: 'fine after all' });
  },
  'latency-by-version-this-week': (result) => {
    assert.deepEqual(pick(result, 'model_version', 'answered'), [
      { model_version: 'v1', answered: 6 },
      { model_version: 'v2', answered: 3 },
    ]);
    // v1: 400 600 700 900 1000 1500; v2: 1200 2000 2400 (interpolated between neighbours).
    const [v1, v2] = result.map((r) => r.latency_ms_p50_p95_p99 as number[]);
    [800, 1375, 1475].forEach((q, i) => near(v1![i], q, `v1 quantile ${i}`));
    [2000, 2360, 2392].forEach((q, i) => near(v2![i], q, `v2 quantile ${i}`));
  },
  'hourly-p95-from-rollup': (result) => {
    assert.equal(result.length, 8);
    assert.deepEqual(pick(result, 'hour', 'model_version', 'runs').slice(0, 3), [
      { hour: `${day(0)} 10:00:00`, model_version: 'v1', runs: 3 },
      { hour: `${day(0)} 10:00:00`, model_version: 'v2', runs: 1 },
      { hour: `${day(0)} 11:00:00`, model_version: 'v1', runs: 1 },
    ]);
    near(result[0]!.latency_p95_ms, 980, 'p95 of 600 and 1000');
    assert.equal(result[2]!.latency_p95_ms, null, 'only a cache hit: no model latency');
  },
  'dau-trend': (result) =>
    assert.deepEqual(result, [
      { event_date: day(0), active_users: 3 },
      { event_date: day(1), active_users: 4 },
      { event_date: day(2), active_users: 3 },
    ]),
  'tokens-per-user-this-week': (result) =>
    assert.deepEqual(pick(result, 'user_id', 'prompts', 'answers', 'tokens'), [
      { user_id: 'user-alice', prompts: 5, answers: 3, tokens: 870 },
      { user_id: 'user-bob', prompts: 4, answers: 4, tokens: 710 },
      { user_id: 'user-carol', prompts: 4, answers: 3, tokens: 550 },
    ]),
  'rating-share-per-version': (result) => {
    assert.deepEqual(pick(result, 'model_version', 'rated_answers', 'positive'), [
      { model_version: 'v1', rated_answers: 2, positive: 1 },
      { model_version: 'v2', rated_answers: 3, positive: 2 },
    ]);
    near(result[0]!.positive_share, 0.5, 'v1: answer 1 re-rated negative');
    near(result[1]!.positive_share, 2 / 3, 'v2: answer 11 re-rated positive');
  },
  'negative-rating-reasons': (result) =>
    assert.deepEqual(result, [
      { reason: 'inaccurate', ratings: 2 },
      { reason: 'too-long', ratings: 1 },
    ]),
  'canary-vs-stable': (result) => {
    assert.equal(result.length, 6);
    assert.deepEqual(pick(result, 'event_date', 'traffic_role', 'model_version', 'runs').slice(0, 2), [
      { event_date: day(0), traffic_role: 'canary', model_version: 'v2', runs: 1 },
      { event_date: day(0), traffic_role: 'stable', model_version: 'v1', runs: 4 },
    ]);
    near(result[0]!.traffic_share, 0.2, 'canary share on day 0');
    near(result[1]!.error_rate, 0.25, 'stable error rate on day 0');
    near(result[1]!.positive_share, 0, 'answer 1: the latest rating is negative');
  },
  'cost-per-version': (result) => {
    assert.equal(result.length, 9);
    const row = (n: number, version: string) =>
      result.find((r) => r.event_date === day(n) && r.model_version === version)!;
    near(row(0, 'v1').cost, 0.15 * 0.5 + 0.3 * 1.5, 'v1 day 0: 150 in, 300 out (the cache hit is free)');
    assert.equal(row(0, 'v2').cost, null, 'v2 has no price before day 1');
    near(row(2, 'v1').input_per_1k, 0.4, 'the corrected day-2 price wins');
  },
  'slowest-servers': (result) => {
    assert.deepEqual(pick(result, 'server', 'answered'), [
      { server: 'gpu-b', answered: 3 },
      { server: 'gpu-c', answered: 4 },
      { server: 'gpu-a', answered: 5 },
    ]);
    [2360, 1725, 1400].forEach((p95, i) =>
      near(result[i]!.latency_p95_ms, p95, `p95 of ${String(result[i]!.server)}`),
    );
  },
  'shadow-vs-live': (result) => {
    assert.deepEqual(
      result.map((r) => [r.event_date, r.model_version, r.live_model_version, r.shadow_runs, r.live_runs]),
      [
        [day(0), 'v3', 'v1', 2, 4],
        [day(1), 'v3', 'v1', 1, 2],
        [day(2), 'v3', 'v1', 1, 3],
      ],
    );
    near(result[0]!.shadow_error_rate, 0.5, 'shadow error rate');
    near(result[0]!.live_error_rate, 0.25, 'live error rate');
  },
  'error-codes-by-version': (result) =>
    assert.deepEqual(result, [
      { model_version: 'v1', error_code: 'context_overflow', failures: 1 },
      { model_version: 'v1', error_code: 'timeout', failures: 1 },
      { model_version: 'v2', error_code: 'model_unavailable', failures: 1 },
    ]),
  'cache-hit-rate': (result) =>
    assert.deepEqual(result, [
      { event_date: day(0), answers: 4, cache_hits: 1, cache_hit_rate: 0.25 },
      { event_date: day(1), answers: 3, cache_hits: 0, cache_hit_rate: 0 },
      { event_date: day(2), answers: 3, cache_hits: 0, cache_hit_rate: 0 },
    ]),
  'api-share-of-prompts': (result) =>
    assert.deepEqual(result, [
      { event_date: day(0), prompts: 5, api_prompts: 0, api_share: 0 },
      { event_date: day(1), prompts: 4, api_prompts: 2, api_share: 0.5 },
      { event_date: day(2), prompts: 4, api_prompts: 0, api_share: 0 },
    ]),
  'failing-minutes-this-week': (result) =>
    assert.deepEqual(
      pick(result, 'minute', 'model_version', 'traffic_role', 'runs', 'failures', 'error_rate'),
      [
        {
          minute: `${day(0)} 10:01:00`,
          model_version: 'v1',
          traffic_role: 'stable',
          runs: 1,
          failures: 1,
          error_rate: 1,
        },
        {
          minute: `${day(0)} 10:00:00`,
          model_version: 'v3',
          traffic_role: 'shadow',
          runs: 2,
          failures: 1,
          error_rate: 0.5,
        },
        {
          minute: `${day(1)} 09:30:00`,
          model_version: 'v2',
          traffic_role: 'canary',
          runs: 2,
          failures: 1,
          error_rate: 0.5,
        },
        {
          minute: `${day(2)} 08:00:00`,
          model_version: 'v1',
          traffic_role: 'stable',
          runs: 2,
          failures: 1,
          error_rate: 0.5,
        },
      ],
    ),
};

before(async () => {
  await migrateClickHouse(engine, database);
  await insertSampleRows(engine, rows);
});

after(async () => {
  await engine.dropDatabase(database);
  await client.close();
});

test('every documented query has its expected rows here, and every expectation a query', async () => {
  const names = (await documentedSql()).filter((d) => d.kind === 'query').map((d) => d.name);
  assert.ok(names.length >= 10, `docs/analytics.md documents ${names.length} queries`);
  assert.equal(new Set(names).size, names.length, 'query names are unique');
  assert.deepEqual([...names].sort(), Object.keys(expectations).sort());
});

test('every documented query runs in clickhouse-client and returns the expected rows', async (t) => {
  for (const { name, sql } of (await documentedSql()).filter((d) => d.kind === 'query')) {
    await t.test(name, async () => expectations[name]!(await clickhouseClient(sql)));
  }
});

test('the documented price insert lands in model_prices', async () => {
  const statement = (await documentedSql()).find((d) => d.name === 'add-price');
  assert.ok(statement, 'docs/analytics.md documents add-price');
  await clickhouseClient(statement.sql);
  const [version] = /'([^']+)'/.exec(statement.sql)!.slice(1);
  assert.deepEqual(
    await clickhouseClient(
      `SELECT input_per_1k, output_per_1k FROM model_prices FINAL WHERE model_version = '${version}'`,
    ),
    [{ input_per_1k: 0.15, output_per_1k: 0.6 }],
  );
});

test('every table and view is documented with exactly its columns and types', async () => {
  const documented = await documentedColumns();
  const built = await engine.rows<{ table: string; name: string; type: string }>(`
    SELECT table, name, type
    FROM system.columns
    WHERE database = currentDatabase()
      AND table IN (
        SELECT name FROM system.tables
        WHERE database = currentDatabase() AND engine != 'MaterializedView' AND name != 'schema_migrations'
      )
    ORDER BY table, name`);
  const tables = [...new Set(built.map((c) => c.table))];
  assert.deepEqual([...documented.keys()].sort(), tables, 'documented relations');
  for (const table of tables) {
    const columns = built.filter((c) => c.table === table).map(({ name, type }) => ({ name, type }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    assert.deepEqual([...documented.get(table)!].sort(byName), columns.sort(byName), table);
  }
});
