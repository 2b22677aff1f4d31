// What the API's routes share: the stores it reads and writes, the event producer, the auth
// stores, the rate limiter. Built once per process by createApiDeps; tests build their own.
import type cassandra from 'cassandra-driver';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import { createCassandraClient, createPgPool, createRedis } from '../core/clients.ts';
import type { ClientConfig } from '../core/config.ts';
import { logger } from '../core/logger.ts';
import { ModelRegistryFeed } from '../connectors/model-server/registryFeed.ts';
import { migrateOutbox } from '../connectors/outbox/migrate.ts';
import { applyPostgresMigrations } from '../connectors/postgres/migrations.ts';
import { createEventProducer, type EventProducer } from '../producers/eventProducer.ts';
import { followActiveKeyspace } from '../projections/cassandra/keyspace.ts';
import { topics } from '../schemas/catalog.ts';
import { ApiKeyStore } from './auth/apiKeys.ts';
import { SessionStore } from './auth/sessions.ts';
import { openConsoleSnapshots, type ConsoleSnapshots } from './console/consoleSnapshots.ts';
import type { ConsoleSources } from './console/consoleSources.ts';
import { RateLimiter } from './http/rateLimit.ts';

const MIGRATIONS_DIR = new URL('./migrations', import.meta.url).pathname;

/** Where the API sends chat events (tests point it at topics of their own). */
export interface ApiTopics {
  chat: string;
}

export interface ApiDeps {
  config: ClientConfig;
  db: pg.Pool;
  redis: Redis;
  cassandra: cassandra.Client;
  /** The active chat read-model keyspace (a rebuild may switch it). */
  keyspace: () => string;
  /** Chat events go to Kafka directly; identity events through the outbox (they change PostgreSQL). */
  producer: EventProducer;
  topics: ApiTopics;
  /** The model registry (parley.model), followed live: what /v1/models lists and prompts may name. */
  models: ModelRegistryFeed;
  sessions: SessionStore;
  apiKeys: ApiKeyStore;
  rateLimiter: RateLimiter;
  /** The operator console's figures; undefined when PARLEY_CONSOLE_TOKEN is unset (the console is off). */
  console: ConsoleSnapshots | undefined;
  log: Logger;
  close(): Promise<void>;
}

export interface ApiDepsOverrides {
  keyspace?: string;
  modelTopic?: string;
  topics?: Partial<ApiTopics>;
  /** What the console watches (tests: topics, groups and a database of their own). */
  console?: Partial<ConsoleSources>;
}

export async function createApiDeps(
  config: ClientConfig,
  overrides: ApiDepsOverrides = {},
): Promise<ApiDeps> {
  const db = createPgPool(config);
  await migrateOutbox(db);
  await applyPostgresMigrations(db, 'api', MIGRATIONS_DIR);
  const redis = createRedis(config);
  await redis.connect();
  const cassandra = createCassandraClient(config);
  await cassandra.connect();
  const { keyspace: configured, replicationFactor } = config.cassandraProjection;
  const keyspace = await followActiveKeyspace(cassandra, configured, replicationFactor, {
    fixed: overrides.keyspace,
  });
  const producer = await createEventProducer(config, { clientId: 'parley-api' });
  const models = new ModelRegistryFeed(config, producer.serde, overrides.modelTopic ?? topics.model);
  await models.start();
  const consoleSnapshots = config.console.token
    ? await openConsoleSnapshots(config, overrides.console)
    : undefined;
  return {
    config,
    db,
    redis,
    cassandra,
    keyspace: () => keyspace.current(),
    producer,
    models,
    topics: { chat: overrides.topics?.chat ?? topics.chat },
    sessions: new SessionStore(redis, config.api.sessionTtlSeconds),
    apiKeys: new ApiKeyStore(db),
    rateLimiter: new RateLimiter(redis, 60),
    console: consoleSnapshots,
    log: logger.child({ component: 'api' }),
    async close() {
      keyspace.stop();
      await consoleSnapshots?.close();
      await models.stop();
      await producer.close();
      redis.disconnect();
      await cassandra.shutdown();
      await db.end();
    },
  };
}
