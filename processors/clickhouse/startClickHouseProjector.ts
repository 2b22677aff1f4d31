// Wiring of the live ClickHouse projector: migrate the analytics database, start the batching sink on
// every topic that carries events.
import { createClickHouse } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { migrateClickHouse } from '../../projections/clickhouse/migrate.ts';
import { clickHouseEngine } from '../../projections/clickhouse/sqlEngine.ts';
import { topics } from '../../schemas/catalog.ts';
import { AnalyticsStore } from './analyticsStore.ts';
import { ClickHouseProjector } from './clickhouseProjector.ts';

/** Every topic whose records are analytics rows. */
export const ANALYTICS_TOPICS = [
  topics.identity,
  topics.chat,
  topics.model,
  topics.shadow,
  topics.feedback,
] as const;

export interface RunningClickHouseProjector {
  projector: ClickHouseProjector;
  stop(): Promise<void>;
}

export async function startClickHouseProjector(config: ClientConfig): Promise<RunningClickHouseProjector> {
  const { database, flushRows, flushMs } = config.clickhouseProjection;
  const client = createClickHouse(config);
  await migrateClickHouse(clickHouseEngine(client, database), database);
  const projector = new ClickHouseProjector(config, {
    topics: ANALYTICS_TOPICS,
    store: new AnalyticsStore(client, database),
    flushRows,
    flushMs,
  });
  await projector.start();
  return {
    projector,
    async stop() {
      await projector.stop();
      await client.close();
    },
  };
}
