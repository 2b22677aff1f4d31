// Wiring of the live Cassandra projector: migrate, find the active keyspace (and keep following it),
// start the runtime.
import { createCassandraClient } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { activeKeyspace, migrate } from '../../projections/cassandra/keyspace.ts';
import type { ProcessorRuntime } from '../runtime/processorRuntime.ts';
import { cassandraProjectorRuntime } from './cassandraProjector.ts';

const POINTER_REFRESH_MS = 2_000;

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
  let current = await activeKeyspace(client, configured, replicationFactor);
  const refresh = setInterval(() => {
    activeKeyspace(client, configured, replicationFactor).then(
      (keyspace) => (current = keyspace),
      () => undefined, // Cassandra down: keep the last known keyspace; writes are retried anyway
    );
  }, POINTER_REFRESH_MS);
  const runtime = cassandraProjectorRuntime(config, client, { current: () => current });
  await runtime.start();
  return {
    runtime,
    keyspace: () => current,
    async stop() {
      clearInterval(refresh);
      await runtime.stop();
      await client.shutdown();
    },
  };
}

export const KEYSPACE_POINTER_REFRESH_MS = POINTER_REFRESH_MS;
