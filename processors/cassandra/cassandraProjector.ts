// The Cassandra projector: chat events → chat read models. The runtime supplies ordering, retries,
// dead-lettering and commits; this file only turns records into writes, and is the one way to run
// a projector (live, rebuild, benchmark, test) on a topic, keyspace and consumer group.
import type cassandra from 'cassandra-driver';
import type { ClientConfig } from '../../core/config.ts';
import { topics } from '../../schemas/catalog.ts';
import {
  ProcessorRuntime,
  type ProcessorDefinition,
  type ProcessorRecord,
} from '../runtime/processorRuntime.ts';
import { writeChatRecords } from './chatRecordWriter.ts';
import { ListStateCache } from './listStateCache.ts';

export const CASSANDRA_PROJECTOR = 'cassandra-projector';
export const DEFAULT_CASSANDRA_METRICS_PORT = 9464;

export interface KeyspaceTarget {
  /** The keyspace to write to now; read per batch, so a rebuild's swap takes effect at once. */
  current(): string;
}

export interface ProjectorOptions {
  /** Names the consumer group (parley.<name>), the metrics and the logs. */
  name?: string;
  /** The chat topic (tests, benchmarks and rebuilds may point elsewhere). */
  topic?: string;
  /** Default: parley.<name>. */
  groupId?: string;
  /** Overrides PARLEY_METRICS_PORT (0: any free port, for projectors beside the live one). */
  metricsPort?: number;
}

export function cassandraProjector(
  client: cassandra.Client,
  target: KeyspaceTarget,
  settings: ClientConfig['cassandraProjection'],
  options: Pick<ProjectorOptions, 'name' | 'topic'> = {},
): ProcessorDefinition {
  const listStates = new ListStateCache(settings.listStateCacheEntries);
  return {
    name: options.name ?? CASSANDRA_PROJECTOR,
    topics: [options.topic ?? topics.chat],
    metricsPort: DEFAULT_CASSANDRA_METRICS_PORT,
    batchSize: settings.batchRecords,
    // Row writes carry their event's write timestamp and list moves are folded in log order, so
    // records of one chat may share a call (and a batch).
    sameKeyInBatch: true,
    handle: (records: ProcessorRecord[]) =>
      writeChatRecords(client, target.current(), records, settings, listStates),
    onPartitionsAssigned: () => listStates.clear(),
  };
}

/** A projector runtime (not started) writing to `target`. */
export function cassandraProjectorRuntime(
  config: ClientConfig,
  client: cassandra.Client,
  target: KeyspaceTarget,
  options: ProjectorOptions = {},
): ProcessorRuntime {
  const processor =
    options.metricsPort === undefined
      ? config.processor
      : { ...config.processor, metricsPort: options.metricsPort };
  return new ProcessorRuntime(
    cassandraProjector(client, target, config.cassandraProjection, options),
    { ...config, processor },
    { groupId: options.groupId },
  );
}

/** A keyspace that never changes (rebuilds, benchmarks, tests). */
export const fixedKeyspace = (keyspace: string): KeyspaceTarget => ({ current: () => keyspace });
