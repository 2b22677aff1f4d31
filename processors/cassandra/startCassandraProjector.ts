// Wiring of the live Cassandra projector: migrate, find the active keyspace (and keep following it),
// start the runtime.
import { createCassandraClient } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { followActiveKeyspace, migrate } from '../../projections/cassandra/keyspace.ts';
import type { ProcessorRuntime } from '../runtime/processorRuntime.ts';
import { cassandraProjectorRuntime } from './cassandraProjector.ts';

export interface RunningProjector {
  runtime: ProcessorRuntime;
  keyspace(): string;
  stop(): Promise<void>;
}

export async function startCassandraProjector(config: ClientConfig): Promise<RunningProjector> {
  const { keyspace: configured, replicationFactor } = config.cassandraProjection;
  const client = createCassandraClient(config);
  await client.connect();
  await migrate(client, configured, replicationFactor);
  const keyspace = await followActiveKeyspace(client, configured, replicationFactor);
  const runtime = cassandraProjectorRuntime(config, client, keyspace);
  await runtime.start();
  return {
    runtime,
    keyspace: () => keyspace.current(),
    async stop() {
      keyspace.stop();
      await runtime.stop();
      await client.shutdown();
    },
  };
}
