// npm run projections -- migrate|rebuild|reconcile cassandra
// npm run projections -- migrate|reconcile clickhouse
import {
  createCassandraClient,
  createClickHouse,
  createKafka,
  createSchemaRegistry,
} from '../../core/clients.ts';
import { loadConfig, type ClientConfig } from '../../core/config.ts';
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

const usage =
  'usage: npm run projections -- <migrate|rebuild|reconcile> cassandra | <migrate|reconcile> clickhouse';

runCli(async ([command, target]) => {
  if (target === 'clickhouse' && (command === 'migrate' || command === 'reconcile'))
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

/** The analytics database: apply its migrations, or reconcile it with the topics. */
async function clickhouse(command: 'migrate' | 'reconcile', config: ClientConfig): Promise<number> {
  const { database } = config.clickhouseProjection;
  const client = createClickHouse(config);
  const engine = clickHouseEngine(client, database);
  try {
    if (command === 'migrate') {
      const ran = await migrateClickHouse(engine, database);
      console.log(ran.length ? `applied ${ran.join(', ')}` : 'no migrations to apply');
      return 0;
    }
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
  } finally {
    await client.close();
  }
}
