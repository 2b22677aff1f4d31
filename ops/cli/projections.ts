// npm run projections -- migrate|rebuild|reconcile cassandra
import { createCassandraClient, createKafka, createSchemaRegistry } from '../../core/clients.ts';
import { loadConfig } from '../../core/config.ts';
import { activeKeyspace, migrate } from '../../projections/cassandra/keyspace.ts';
import { rebuildCassandra } from '../../processors/cassandra/rebuild.ts';
import { formatDifference, reconcileCassandra } from '../../processors/cassandra/reconcile.ts';
import { topics } from '../../schemas/catalog.ts';
import { EventSerde } from '../../schemas/serde.ts';
import { progressPrinter } from './progress.ts';
import { runCli } from './runCli.ts';

runCli(async ([command, target]) => {
  if (!['migrate', 'rebuild', 'reconcile'].includes(command ?? '') || target !== 'cassandra') {
    console.error('usage: npm run projections -- <migrate|rebuild|reconcile> cassandra');
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
