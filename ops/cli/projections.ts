// npm run projections -- migrate|rebuild|reconcile cassandra
// npm run projections -- migrate|rebuild|reconcile clickhouse
import {
  createCassandraClient,
  createClickHouse,
  createKafka,
  createSchemaRegistry,
} from '../../core/clients.ts';
import { loadConfig, type ClientConfig } from '../../core/config.ts';
import type { ClickHouseClient } from '@clickhouse/client';
import { rebuildClickHouse } from '../../processors/clickhouse/rebuild.ts';
import { formatClickHouseDifference, reconcileClickHouse } from '../../processors/clickhouse/reconcile.ts';
import { ANALYTICS_TOPICS } from '../../processors/clickhouse/startClickHouseProjector.ts';
import { migrateClickHouse } from '../../projections/clickhouse/migrate.ts';
import { clickHouseEngine } from '../../projections/clickhouse/sqlEngine.ts';
import { activeKeyspace, migrate } from '../../projections/cassandra/keyspace.ts';
import { rebuildCassandra } from '../../processors/cassandra/rebuild.ts';
import { formatDifference, reconcileCassandra } from '../../processors/cassandra/reconcile.ts';
import { topics } from '../../schemas/catalog.ts';
import { EventSerde } from '../../schemas/serde.ts';
import { progressPrinter } from './progress.ts';
import { runCli } from './runCli.ts';

const usage = 'usage: npm run projections -- <migrate|rebuild|reconcile> <cassandra|clickhouse>';

runCli(async ([command, target]) => {
  if (target === 'clickhouse' && (command === 'migrate' || command === 'rebuild' || command === 'reconcile'))
    return clickhouse(command, loadConfig().clients);
  if (!['migrate', 'rebuild', 'reconcile'].includes(command ?? '') || target !== 'cassandra') {
    console.error(usage);
    return 2;
  }
  const config = loadConfig().clients;
  const { keyspace: configured, replicationFactor } = config.cassandraProjection;
  const client = createCassandraClient(config);
  await client.connect();
  try {
    if (command === 'migrate') {
      const ran = await migrate(
        client,
        await activeKeyspace(client, configured, replicationFactor),
        replicationFactor,
      );
      console.log(ran.length ? `applied ${ran.join(', ')}` : 'no migrations to apply');
      return 0;
    }
    if (command === 'rebuild') {
      const admin = createKafka(config, 'parley-rebuild').admin();
      await admin.connect();
      try {
        console.log(`rebuilding the Cassandra read models from ${topics.chat}, offset 0`);
        const progress = progressPrinter();
        const result = await rebuildCassandra(config, client, admin, {
          topic: topics.chat,
          onProgress: progress,
        });
        progress.finish();
        console.log(
          `rebuilt ${result.records} records into ${result.keyspace} in ${result.seconds.toFixed(1)} s; it is now active (previous: ${result.previous}, kept; drop it when no longer needed)`,
        );
        return 0;
      } finally {
        await admin.disconnect();
      }
    }
    const keyspace = await activeKeyspace(client, configured, replicationFactor);
    const report = await reconcileCassandra(
      config,
      client,
      new EventSerde(createSchemaRegistry(config)),
      topics.chat,
      keyspace,
    );
    console.log(
      `reconcile ${topics.chat} → ${keyspace}: ${report.eventsRead} events (${report.deadLettered} dead-lettered), ${report.expectedRows} rows expected, ${report.actualRows} present`,
    );
    for (const difference of report.differences) console.log(formatDifference(difference));
    const count = report.differences.length;
    console.log(count === 0 ? '✓ no differences' : `✗ ${count} differences`);
    return count === 0 ? 0 : 1;
  } finally {
    await client.shutdown();
  }
});

/** The analytics database: apply its migrations, rebuild it into a new one, or reconcile it. */
async function clickhouse(
  command: 'migrate' | 'rebuild' | 'reconcile',
  config: ClientConfig,
): Promise<number> {
  const client = createClickHouse(config);
  try {
    if (command === 'migrate') {
      const { database } = config.clickhouseProjection;
      const ran = await migrateClickHouse(clickHouseEngine(client, database), database);
      console.log(ran.length ? `applied ${ran.join(', ')}` : 'no migrations to apply');
      return 0;
    }
    if (command === 'rebuild') {
      const admin = createKafka(config, 'parley-rebuild').admin();
      await admin.connect();
      try {
        console.log(`rebuilding the analytics from ${ANALYTICS_TOPICS.join(', ')}, offset 0`);
        let progress: ReturnType<typeof progressPrinter> | undefined;
        let current = '';
        const result = await rebuildClickHouse(config, client, admin, {
          topics: ANALYTICS_TOPICS,
          onProgress: (topic, done, total) => {
            if (topic !== current) {
              progress?.finish();
              console.log(`  ${topic}`);
              [current, progress] = [topic, progressPrinter()];
            }
            progress!(done, total);
          },
        });
        progress?.finish();
        const verdict = await reconcileAndPrint(config, client, result.database);
        console.log(
          `rebuilt ${result.records} records into ${result.database} in ${result.seconds.toFixed(1)} s. To switch: set PARLEY_CLICKHOUSE_DATABASE=${result.database} and restart \`npm run processor -- clickhouse\` (its consumer group is the rebuild's, so it continues where the rebuild stopped); point analysts at ${result.database}; drop ${config.clickhouseProjection.database} when no longer needed.`,
        );
        return verdict;
      } finally {
        await admin.disconnect();
      }
    }
    return await reconcileAndPrint(config, client, config.clickhouseProjection.database);
  } finally {
    await client.close();
  }
}

/** Reconciles `database` with the topics and prints the report; 0 when there is no difference. */
async function reconcileAndPrint(
  config: ClientConfig,
  client: ClickHouseClient,
  database: string,
): Promise<number> {
  const engine = clickHouseEngine(client, database);
  const report = await reconcileClickHouse(
    config,
    new EventSerde(createSchemaRegistry(config)),
    engine,
    ANALYTICS_TOPICS,
  );
  const counts = Object.entries(report.actualRows)
    .map(([table, n]) => `${table} ${n}/${report.expectedRows[table as keyof typeof report.expectedRows]}`)
    .join(', ');
  console.log(
    `reconcile ${ANALYTICS_TOPICS.join(', ')} → ClickHouse ${database}: ${report.eventsRead} events (${report.deadLettered} dead-lettered); rows present/expected: ${counts}; ${report.viewsChecked} views checked`,
  );
  const shown = 50;
  for (const difference of report.differences.slice(0, shown))
    console.log(formatClickHouseDifference(difference));
  const count = report.differences.length;
  if (count > shown) {
    const byKind = new Map<string, number>();
    for (const d of report.differences)
      byKind.set(`${d.kind} ${d.relation}`, (byKind.get(`${d.kind} ${d.relation}`) ?? 0) + 1);
    console.log(
      `... ${count - shown} more; all by kind: ${[...byKind].map(([k, n]) => `${k}: ${n}`).join(', ')}`,
    );
  }
  console.log(count === 0 ? '✓ no differences' : `✗ ${count} differences`);
  return count === 0 ? 0 : 1;
}
