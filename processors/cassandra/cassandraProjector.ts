// The Cassandra projector: chat events → chat read models. The runtime supplies ordering, retries,
// dead-lettering and commits; this file only turns records into writes.
import type cassandra from 'cassandra-driver';
import type { ClientConfig } from '../../core/config.ts';
import { projectChatEvent } from '../../projections/cassandra/chatProjection.ts';
import { topics } from '../../schemas/catalog.ts';
import type { ProcessorDefinition, ProcessorRecord } from '../runtime/processorRuntime.ts';
import { writeStatements } from './statementBatches.ts';

export const CASSANDRA_PROJECTOR = 'cassandra-projector';

export interface KeyspaceTarget {
  /** The keyspace to write to now; read per batch, so a rebuild's swap takes effect at once. */
  current(): string;
}

export interface ProjectorOptions {
  name?: string;
  /** The chat topic (tests and rebuilds may point elsewhere). */
  topic?: string;
  metricsPort?: number;
}

export function cassandraProjector(
  client: cassandra.Client,
  target: KeyspaceTarget,
  settings: ClientConfig['cassandraProjection'],
  options: ProjectorOptions = {},
): ProcessorDefinition {
  return {
    name: options.name ?? CASSANDRA_PROJECTOR,
    topics: [options.topic ?? topics.chat],
    metricsPort: options.metricsPort ?? 9464,
    batchSize: settings.batchRecords,
    // Every statement carries its event's write timestamp, so rows come out the same whatever
    // order a call's records are written in: records of one chat may share a call (and batch).
    sameKeyInBatch: true,
    async handle(records: ProcessorRecord[]) {
      const statements = records.flatMap((record) => projectChatEvent(record.name, record.event, record));
      await writeStatements(client, target.current(), statements, settings.batch);
    },
  };
}
