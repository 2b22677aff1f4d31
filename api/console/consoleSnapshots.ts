// The console's live connections, opened once for the API's life when the console is on: one
// Kafka admin client and one ClickHouse client (closed with the API's other stores). Concurrent
// snapshot requests (several open consoles) share the one in progress, so the page count does not
// multiply the load on Kafka and ClickHouse.
import type { Admin } from 'kafkajs';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouse, createKafka } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { consoleSources, type ConsoleSources } from './consoleSources.ts';
import { readKafkaFigures } from './kafkaFigures.ts';
import { readModelFigures } from './modelFigures.ts';
import { readSlotFigures } from './slotFigures.ts';
import { takeSnapshot, type SnapshotReaders } from './snapshot.ts';
import type { ConsoleSnapshot } from './snapshotSchema.ts';

export interface ConsoleSnapshots {
  take(): Promise<ConsoleSnapshot>;
  close(): Promise<void>;
}

/** One retry: the snapshot's own bound decides when to give up, not kafkajs' backoff. */
const ADMIN_RETRIES = 1;

/**
 * kafkajs calls cannot be cancelled: one the bound cut off runs on until kafkajs gives up. While it
 * does, the next snapshot skips Kafka instead of piling more requests onto a broker that is stuck.
 */
export function oneAtATime<T>(what: string, read: () => Promise<T>): () => Promise<T> {
  let running = false;
  return async () => {
    if (running) throw new Error(`${what} has not answered the previous request yet`);
    running = true;
    try {
      return await read();
    } finally {
      running = false;
    }
  };
}

export async function openConsoleSnapshots(
  config: ClientConfig,
  overrides: Partial<ConsoleSources> = {},
): Promise<ConsoleSnapshots> {
  const sources = consoleSources(config, overrides);
  const admin: Admin = createKafka(config, 'parley-api-console', ADMIN_RETRIES).admin();
  await admin.connect();
  const clickhouse: ClickHouseClient = createClickHouse(config);
  const readers: SnapshotReaders = {
    kafka: oneAtATime('Kafka', () => readKafkaFigures(admin, sources)),
    models: (since, signal) => readModelFigures(clickhouse, sources.clickhouseDatabase, since, signal),
    slots: (signal) => readSlotFigures(sources.metricsUrls, signal),
  };
  let inProgress: Promise<ConsoleSnapshot> | undefined;
  return {
    take() {
      inProgress ??= takeSnapshot(readers).finally(() => (inProgress = undefined));
      return inProgress;
    },
    async close() {
      await inProgress?.catch(() => undefined);
      await Promise.allSettled([admin.disconnect(), clickhouse.close()]);
    },
  };
}
