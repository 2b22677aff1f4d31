// A Cassandra projector on a topic and keyspace of the test's own, so tests never see each other's
// records or rows.
import { createCassandraClient, createKafka, createSchemaRegistry } from '../core/clients.ts';
import { groupProgress, waitUntilCaughtUp } from '../core/kafkaProgress.ts';
import { cassandraProjectorRuntime, fixedKeyspace } from '../processors/cassandra/cassandraProjector.ts';
import { migrate } from '../projections/cassandra/keyspace.ts';
import { provisionTopics, topicSpecs } from '../producers/topics.ts';
import { topics } from '../schemas/catalog.ts';
import { EventSerde } from '../schemas/serde.ts';
import { config, uniqueName } from './config.ts';

import { within } from './bounded.ts';

export const testConfig = { ...config.clients, processor: { ...config.clients.processor, metricsPort: 0 } };

/** A chat topic of the test's own and its dead-letter topic (with `dlqConfigs`, e.g. a size limit). */
export async function createChatTopic(
  partitions = 3,
  dlqConfigs: Record<string, string> = {},
): Promise<string> {
  const topic = uniqueName('chat_test');
  const admin = createKafka(config.clients, 'test-topics').admin();
  await admin.connect();
  const chatSpec = topicSpecs(config.clients.topics).find((s) => s.topic === topics.chat)!;
  await provisionTopics(admin, [
    { ...chatSpec, topic, partitions },
    { topic: `${topic}.dlq`, partitions: 1, replicationFactor: 1, configs: dlqConfigs },
  ]);
  await admin.disconnect();
  return topic;
}

export async function createTestKeyspace(): Promise<string> {
  const keyspace = uniqueName('ks');
  const client = createCassandraClient(config.clients);
  await migrate(client, keyspace, 1);
  await client.shutdown();
  return keyspace;
}

export function projectorRuntime(
  client: ReturnType<typeof createCassandraClient>,
  topic: string,
  keyspace: string,
  groupId?: string,
) {
  return cassandraProjectorRuntime(config.clients, client, fixedKeyspace(keyspace), {
    name: 'test-projector',
    topic,
    groupId: groupId ?? uniqueName('test-projector'),
    metricsPort: 0,
  });
}

export const testSerde = () => new EventSerde(createSchemaRegistry(config.clients));

async function withAdmin<T>(
  work: (admin: ReturnType<ReturnType<typeof createKafka>['admin']>) => Promise<T>,
) {
  const admin = createKafka(config.clients, 'test-progress').admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** True once the group has committed every partition of `topic` up to its end. */
export const caughtUp = (groupId: string, topic: string): Promise<boolean> =>
  withAdmin(async (admin) => (await groupProgress(admin, groupId, topic)).caughtUp);

/** Waits until the group has committed `topic` up to its end; fails after `timeoutMs` saying how far it got. */
export const waitForCatchUp = (groupId: string, topic: string, timeoutMs: number): Promise<void> =>
  withAdmin((admin) => waitUntilCaughtUp(admin, groupId, topic, { timeoutMs }));

/** Projects the whole topic into the keyspace with a fresh consumer group, then stops. */
export async function projectTopic(
  client: ReturnType<typeof createCassandraClient>,
  topic: string,
  keyspace: string,
  timeoutMs = 120_000,
): Promise<void> {
  const runtime = projectorRuntime(client, topic, keyspace);
  await runtime.start();
  try {
    await waitForCatchUp(runtime.groupId, topic, timeoutMs);
  } finally {
    await within('stopping the projector', 60_000, runtime.stop());
  }
}
