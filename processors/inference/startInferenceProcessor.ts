// Wiring of the inference processor: stores (PostgreSQL runs and outbox, Cassandra history, Redis
// token streams and response cache), the model registry followed live with a pool per version,
// the runtime. The one way to run it: live, in tests and in benchmarks (with topics of their own).
import {
  createCassandraClient,
  createPgPool,
  createRedis,
  createSchemaRegistry,
} from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { logger } from '../../core/logger.ts';
import { ModelPools } from '../../connectors/model-server/modelPools.ts';
import { defaultPoolSettings, type PoolSettings } from '../../connectors/model-server/modelServerPool.ts';
import { ModelRegistryFeed } from '../../connectors/model-server/registryFeed.ts';
import { migrateOutbox } from '../../connectors/outbox/migrate.ts';
import { registerSlotLagMetrics } from '../../connectors/outbox/slotLag.ts';
import { applyPostgresMigrations } from '../../connectors/postgres/migrations.ts';
import { ResponseCache } from '../../connectors/responseCache/responseCache.ts';
import { TokenStreamWriter } from '../../connectors/tokenStream/tokenStreamWriter.ts';
import { followActiveKeyspace } from '../../projections/cassandra/keyspace.ts';
import { topics } from '../../schemas/catalog.ts';
import { EventSerde } from '../../schemas/serde.ts';
import { ProcessorRuntime } from '../runtime/processorRuntime.ts';
import { Answerer } from './answerer.ts';
import { ChatHistory } from './chatHistory.ts';
import { InferenceMetrics } from './inferenceMetrics.ts';
import { inferenceProcessor, INFERENCE_PROCESSOR } from './inferenceProcessor.ts';
import { RunStore } from './runStore.ts';

const MIGRATIONS_DIR = new URL('./migrations', import.meta.url).pathname;
// Requests in flight per serving slot. A request holds its place while it reads the history before
// the model call and records the run after it; with exactly one per slot, the slots idle during
// that work (measured: utilisation 0.92 at 0.1× reference peak, 0.98 with 1.3 per slot). The extra
// requests wait for a slot inside the pool, never at the servers.
const SLOT_HEADROOM = 1.25;

export interface InferenceProcessorOverrides {
  name?: string;
  groupId?: string;
  /** Requests are read from, and answers written to, this topic (default parley.chat). */
  chatTopic?: string;
  identityTopic?: string;
  shadowTopic?: string;
  modelTopic?: string;
  /** A fixed read-model keyspace instead of the active one. */
  keyspace?: string;
  metricsPort?: number;
  poolSettings?: PoolSettings;
}

export interface RunningInferenceProcessor {
  runtime: ProcessorRuntime;
  pools: ModelPools;
  feed: ModelRegistryFeed;
  stop(): Promise<void>;
}

export async function startInferenceProcessor(
  config: ClientConfig,
  overrides: InferenceProcessorOverrides = {},
): Promise<RunningInferenceProcessor> {
  const settings = config.inference;
  const log = logger.child({ processor: overrides.name ?? INFERENCE_PROCESSOR });
  const db = createPgPool(config);
  await migrateOutbox(db);
  await applyPostgresMigrations(db, 'inference', MIGRATIONS_DIR);

  const cassandra = createCassandraClient(config);
  await cassandra.connect();
  const { keyspace: configured, replicationFactor } = config.cassandraProjection;
  const keyspace = await followActiveKeyspace(cassandra, configured, replicationFactor, {
    fixed: overrides.keyspace,
  });

  const redis = createRedis(config);
  const serde = new EventSerde(createSchemaRegistry(config));
  await serde.prepare();
  const feed = new ModelRegistryFeed(config, serde, overrides.modelTopic ?? topics.model);
  await feed.start();
  const pools = new ModelPools(feed.registry, overrides.poolSettings ?? defaultPoolSettings);
  feed.onChange(() => pools.sync());

  // The metrics live in the runtime's registry, and the runtime needs the answerer: set below.
  const late: { metrics?: InferenceMetrics } = {};
  const reportRedis = (error: Error, context: object) => log.warn({ err: error, ...context }, 'redis');
  const runs = new RunStore(db);
  const answererDeps = {
    history: new ChatHistory(cassandra, () => keyspace.current()),
    runs,
    serde,
    registry: feed.registry,
    pools,
    tokens: new TokenStreamWriter(redis, {
      flushIntervalMs: settings.tokenFlushMs,
      ttlSeconds: settings.tokenStreamTtlSeconds,
      onError: reportRedis,
    }),
    cache:
      settings.responseCacheTtlSeconds > 0
        ? new ResponseCache(redis, { ttlSeconds: settings.responseCacheTtlSeconds, onError: reportRedis })
        : undefined,
    get metrics() {
      return late.metrics!;
    },
    settings: {
      answerReserveTokens: settings.answerReserveTokens,
      modelUnavailableGraceMs: settings.modelUnavailableGraceMs,
      requestTtlMs: settings.requestTtlSeconds * 1000,
      topics: {
        chat: overrides.chatTopic ?? topics.chat,
        shadow: overrides.shadowTopic ?? topics.shadow,
      },
    },
  };
  const definition = inferenceProcessor(new Answerer(answererDeps), runs, {
    name: overrides.name,
    topics: [overrides.chatTopic ?? topics.chat, overrides.identityTopic ?? topics.identity],
    maxTransientAttempts: settings.maxTransientAttempts,
    callTimeoutMs: settings.callTimeoutMs,
    capacity: () => Math.ceil(pools.servingSlots() * SLOT_HEADROOM),
  });
  const processor =
    overrides.metricsPort === undefined
      ? config.processor
      : { ...config.processor, metricsPort: overrides.metricsPort };
  const runtime = new ProcessorRuntime(definition, { ...config, processor }, { groupId: overrides.groupId });
  late.metrics = new InferenceMetrics(runtime.metrics.registry, () => pools);
  registerSlotLagMetrics(runtime.metrics.registry, db);
  await runtime.start();
  return {
    runtime,
    pools,
    feed,
    async stop() {
      keyspace.stop();
      await runtime.stop();
      await feed.stop();
      pools.close();
      await answererDeps.tokens.close();
      redis.disconnect();
      await cassandra.shutdown();
      await db.end();
    },
  };
}
