// A Cassandra projector on a topic and keyspace of the test's own, so tests never see each other's
// records or rows.
import { createCassandraClient, createKafka, createSchemaRegistry } from '../core/clients.ts';
import { cassandraProjector } from '../processors/cassandra/cassandraProjector.ts';
import { hasCaughtUp } from '../processors/runtime/groupProgress.ts';
import { ProcessorRuntime, type ProcessorDefinition } from '../processors/runtime/processorRuntime.ts';
import { migrate } from '../projections/cassandra/keyspace.ts';
import { topicSpecs } from '../producers/topics.ts';
import { provisionTopics } from '../producers/topics.ts';
import { EventSerde } from '../schemas/serde.ts';
import { config, uniqueName } from './config.ts';

export const testConfig = { ...config.clients, processor: { ...config.clients.processor, metricsPort: 0 } };

/** A chat topic of the test's own and its dead-letter topic (with `dlqConfigs`, e.g. a size limit). */
export async function createChatTopic(
  partitions = 3,
  dlqConfigs: Record<string, string> = {},
): Promise<string> {
  const topic = uniqueName('chat_test');
  const admin = createKafka(config.clients, 'test-topics').admin();
  await admin.connect();
  const chatSpec = topicSpecs(config.clients.topics).find((s) => s.topic === 'parley.chat')!;
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
  const definition: ProcessorDefinition = cassandraProjector(
    client,
    { current: () => keyspace },
    testConfig.cassandraProjection,
    { name: 'test-projector', topic },
  );
  return new ProcessorRuntime(definition, testConfig, { groupId: groupId ?? uniqueName('test-projector') });
}

export const testSerde = () => new EventSerde(createSchemaRegistry(config.clients));

/** Waits until `check` returns true, polling; fails after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`);
}

/** True once the group has committed every partition of `topic` up to its end. */
export async function caughtUp(groupId: string, topic: string): Promise<boolean> {
  const admin = createKafka(config.clients, 'test-lag').admin();
  await admin.connect();
  try {
    return await hasCaughtUp(admin, groupId, topic);
  } finally {
    await admin.disconnect();
  }
}
