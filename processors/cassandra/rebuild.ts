// Rebuild: project the chat topic from offset 0 into a fresh keyspace, and swap it in once caught
// up. The swap is safe while the live projector runs: after the pointer flips, the rebuild keeps
// consuming until it passes everything the live projector could have written to the old keyspace
// before it noticed the flip (it re-reads the pointer every KEYSPACE_POINTER_REFRESH_MS).
import { setTimeout as sleep } from 'node:timers/promises';
import type cassandra from 'cassandra-driver';
import type { Admin } from 'kafkajs';
import type { ClientConfig } from '../../core/config.ts';
import { endOffsets, waitUntilCaughtUp } from '../../core/kafkaProgress.ts';
import {
  activeKeyspace,
  KEYSPACE_POINTER_REFRESH_MS,
  migrate,
  setActiveKeyspace,
} from '../../projections/cassandra/keyspace.ts';
import { cassandraProjectorRuntime, fixedKeyspace } from './cassandraProjector.ts';

export interface RebuildOptions {
  topic: string;
  /** Called about twice a second with records done and records to do. */
  onProgress?: (done: bigint, total: bigint) => void;
  /** Swap the new keyspace in when caught up (default true). */
  swap?: boolean;
}

export interface RebuildResult {
  keyspace: string;
  previous: string;
  records: bigint;
  seconds: number;
}

const timestamp = () => new Date().toISOString().replace(/\D/g, '').slice(0, 14);

export async function rebuildCassandra(
  config: ClientConfig,
  client: cassandra.Client,
  admin: Admin,
  options: RebuildOptions,
): Promise<RebuildResult> {
  const started = performance.now();
  const { keyspace: configured, replicationFactor } = config.cassandraProjection;
  const previous = await activeKeyspace(client, configured, replicationFactor);
  const keyspace = `${configured}_r${timestamp()}`;
  await migrate(client, keyspace, replicationFactor);
  const groupId = `parley.cassandra-rebuild.${keyspace}`;
  const snapshot = await endOffsets(admin, options.topic);
  const runtime = cassandraProjectorRuntime(config, client, fixedKeyspace(keyspace), {
    name: 'cassandra-rebuild',
    topic: options.topic,
    groupId,
    metricsPort: 0,
  });
  await runtime.start();
  try {
    await waitUntilCaughtUp(admin, groupId, options.topic, {
      target: snapshot,
      pollMs: 500,
      onProgress: options.onProgress,
    });
    if (options.swap ?? true) {
      await setActiveKeyspace(client, keyspace, replicationFactor);
      // Past the live projector's last possible write to the old keyspace, then caught up again.
      await sleep(2 * KEYSPACE_POINTER_REFRESH_MS + 1_000);
      await waitUntilCaughtUp(admin, groupId, options.topic, { pollMs: 500 });
    }
  } finally {
    await runtime.stop();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  const records = [...snapshot.values()].reduce((a, b) => a + b, 0n);
  return { keyspace, previous, records, seconds: (performance.now() - started) / 1000 };
}
