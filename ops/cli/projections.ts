// npm run projections -- migrate|rebuild|reconcile cassandra
import { createCassandraClient, createKafka, createSchemaRegistry } from '../../core/clients.ts';
import { loadConfig } from '../../core/config.ts';
import { activeKeyspace, migrate } from '../../projections/cassandra/keyspace.ts';
import { rebuildCassandra } from '../../processors/cassandra/rebuild.ts';
import { formatDifference, reconcileCassandra } from '../../processors/cassandra/reconcile.ts';
import { topics } from '../../schemas/catalog.ts';
import { EventSerde } from '../../schemas/serde.ts';
import { runCli } from './runCli.ts';

function progressPrinter(): (done: bigint, total: bigint) => void {
  let lastDecile = -1;
  return (done, total) => {
    const fraction = total === 0n ? 1 : Number(done) / Number(total);
    if (process.stderr.isTTY) {
      const width = 40;
      const filled = Math.round(fraction * width);
      process.stderr.write(
        `\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1)}% ${done}/${total}`,
      );
    } else if (Math.floor(fraction * 10) > lastDecile) {
      lastDecile = Math.floor(fraction * 10);
      console.log(`  ${(fraction * 100).toFixed(0)}% (${done}/${total} records)`);
    }
  };
}

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
        const result = await rebuildCassandra(config, client, admin, {
          topic: topics.chat,
          onProgress: progressPrinter(),
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
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
