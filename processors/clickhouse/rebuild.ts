// Rebuild: project every analytics topic from offset 0 into a fresh database, then check it with
// reconcile. ClickHouse 18.16 cannot swap databases atomically (no RENAME DATABASE, no EXCHANGE),
// and the views name their tables' database, so the switch is a restart: the projector's consumer
// group is named after its database (`parley.clickhouse.<database>`), so the live projector, pointed
// at the new database (PARLEY_CLICKHOUSE_DATABASE), continues exactly where the rebuild stopped.
import type { Admin } from 'kafkajs';
import type { ClickHouseClient } from '@clickhouse/client';
import type { ClientConfig } from '../../core/config.ts';
import { endOffsets, waitUntilCaughtUp } from '../../core/kafkaProgress.ts';
import { migrateClickHouse } from '../../projections/clickhouse/migrate.ts';
import { clickHouseEngine } from '../../projections/clickhouse/sqlEngine.ts';
import { AnalyticsStore } from './analyticsStore.ts';
import { ClickHouseProjector, clickHouseGroupId } from './clickhouseProjector.ts';

export interface ClickHouseRebuildOptions {
  topics: readonly string[];
  /** Called about twice a second with records done and records to do, per topic. */
  onProgress?: (topic: string, done: bigint, total: bigint) => void;
}

export interface ClickHouseRebuildResult {
  database: string;
  records: bigint;
  seconds: number;
}

const timestamp = () => new Date().toISOString().replace(/\D/g, '').slice(0, 14);

export async function rebuildClickHouse(
  config: ClientConfig,
  client: ClickHouseClient,
  admin: Admin,
  options: ClickHouseRebuildOptions,
): Promise<ClickHouseRebuildResult> {
  const started = performance.now();
  const database = `${config.clickhouseProjection.database}_r${timestamp()}`;
  await migrateClickHouse(clickHouseEngine(client, database), database);
  const snapshots = new Map(
    await Promise.all(options.topics.map(async (t) => [t, await endOffsets(admin, t)] as const)),
  );
  const projector = new ClickHouseProjector(
    { ...config, processor: { ...config.processor, metricsPort: 0 } },
    {
      topics: options.topics,
      store: new AnalyticsStore(client, database),
      groupId: clickHouseGroupId(database),
      flushRows: config.clickhouseProjection.flushRows,
      flushMs: config.clickhouseProjection.flushMs,
      metricsPort: 0,
    },
  );
  await projector.start();
  try {
    for (const [topic, target] of snapshots)
      await waitUntilCaughtUp(admin, clickHouseGroupId(database), topic, {
        target,
        pollMs: 500,
        onProgress: options.onProgress && ((done, total) => options.onProgress!(topic, done, total)),
      });
  } finally {
    await projector.stop();
  }
  const records = [...snapshots.values()].flatMap((s) => [...s.values()]).reduce((a, b) => a + b, 0n);
  return { database, records, seconds: (performance.now() - started) / 1000 };
}
