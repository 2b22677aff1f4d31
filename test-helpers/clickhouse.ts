// ClickHouse for tests: a migrated database of the test's own, a projector on it, and a store that
// fails on purpose (lost replies, refusals) to prove the projector's exactly-once scheme.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouse } from '../core/clients.ts';
import { AnalyticsStore } from '../processors/clickhouse/analyticsStore.ts';
import { ClickHouseProjector } from '../processors/clickhouse/clickhouseProjector.ts';
import { migrateClickHouse } from '../projections/clickhouse/migrate.ts';
import type { AnalyticsTable } from '../projections/clickhouse/rows.ts';
import { clickHouseEngine, type SqlEngine } from '../projections/clickhouse/sqlEngine.ts';
import { config, uniqueName } from './config.ts';

export interface TestDatabase {
  name: string;
  client: ClickHouseClient;
  engine: SqlEngine;
  store: AnalyticsStore;
  drop(): Promise<void>;
}

/** An existing database (e.g. one a test process created and handed to a child). */
export function openTestDatabase(name: string): TestDatabase {
  const client = createClickHouse(config.clients);
  const engine = clickHouseEngine(client, name);
  return {
    name,
    client,
    engine,
    store: new AnalyticsStore(client, name),
    async drop() {
      await engine.dropDatabase(name);
      await client.close();
    },
  };
}

/** A fresh database with every migration applied. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const database = openTestDatabase(uniqueName('analytics'));
  await migrateClickHouse(database.engine, database.name);
  return database;
}

export interface TestProjectorOptions {
  groupId?: string;
  flushRows: number;
  flushMs?: number;
  store?: AnalyticsStore;
}

/** A started projector on `topics` into the database (a fresh consumer group unless one is given). */
export async function startTestProjector(
  topics: readonly string[],
  database: TestDatabase,
  options: TestProjectorOptions,
): Promise<ClickHouseProjector> {
  const projector = new ClickHouseProjector(
    { ...config.clients, processor: { ...config.clients.processor, metricsPort: 0 } },
    {
      topics,
      store: options.store ?? database.store,
      groupId: options.groupId ?? uniqueName('ch-test'),
      flushRows: options.flushRows,
      flushMs: options.flushMs ?? 200,
      metricsPort: 0,
      retry: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 5 },
    },
  );
  await projector.start();
  return projector;
}

export interface FaultyStore extends AnalyticsStore {
  /** Inserts that landed and then failed for the caller (a reply lost on the way back). */
  repliesLost(): number;
  /** Inserts refused before they landed. */
  refused(): number;
}

/**
 * The database's store, failing on purpose: the first `loseRepliesOf` inserts land and then throw
 * (as if the reply were lost), the first `refuseFirst` inserts throw without landing.
 */
export function faultyStore(
  database: TestDatabase,
  faults: { loseRepliesOf?: number; refuseFirst?: number },
): FaultyStore {
  let lost = 0;
  let refused = 0;
  const store = new AnalyticsStore(database.client, database.name) as FaultyStore;
  const insert = store.insert.bind(store);
  store.insert = async (table: AnalyticsTable, rows: readonly object[]) => {
    if (refused < (faults.refuseFirst ?? 0)) {
      refused++;
      // Refused after a while, as a connection to a server that is down is: long enough that the
      // pause it causes can be seen, although the tables' inserts are retried side by side.
      await sleep(500);
      throw Object.assign(new Error('connect ECONNREFUSED (a refusal on purpose)'), { code: 'ECONNREFUSED' });
    }
    await insert(table, rows);
    if (lost < (faults.loseRepliesOf ?? 0)) {
      lost++;
      throw Object.assign(new Error('socket hang up (a reply lost on purpose)'), { code: 'ECONNRESET' });
    }
  };
  store.repliesLost = () => lost;
  store.refused = () => refused;
  return store;
}
