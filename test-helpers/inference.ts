// An inference processor on topics, a keyspace and a model registry of the test's own, with a
// Cassandra projector filling the history it reads, and helpers to send prompts and read answers.
import { randomUUID } from 'node:crypto';
import { createCassandraClient, createKafka } from '../core/clients.ts';
import { endOffsets } from '../core/kafkaProgress.ts';
import type { ModelServerEndpoint } from '../connectors/model-server/modelServerPool.ts';
import { createEventProducer, type EventProducer } from '../producers/eventProducer.ts';
import { newEvent } from '../producers/newEvent.ts';
import { provisionTopics } from '../producers/topics.ts';
import {
  startInferenceProcessor,
  type InferenceProcessorOverrides,
  type RunningInferenceProcessor,
} from '../processors/inference/startInferenceProcessor.ts';
import type { ModelRole, PromptSubmitted } from '../schemas/generated/events.ts';
import { v7 as uuidv7 } from 'uuid';
import { config, uniqueName } from './config.ts';
import { consumeUntil, type ConsumedRecord } from './kafka.ts';
import { createTestKeyspace, projectorRuntime, testConfig, testSerde } from './projector.ts';
import { within } from './bounded.ts';
import { bucketOf } from '../projections/cassandra/messageTime.ts';

export interface InferenceTopics {
  chat: string;
  identity: string;
  model: string;
  shadow: string;
}

/** Topics of the test's own, shaped like the platform's (the outbox routes answers to `chat`). */
export async function createInferenceTopics(): Promise<InferenceTopics> {
  const base = uniqueName('inf');
  const names: InferenceTopics = {
    chat: `${base}.chat`,
    identity: `${base}.identity`,
    model: `${base}.model`,
    shadow: `${base}.shadow`,
  };
  const admin = createKafka(config.clients, 'test-topics').admin();
  await admin.connect();
  const spec = (topic: string, partitions: number) => ({
    topic,
    partitions,
    replicationFactor: 1,
    configs: {},
  });
  await provisionTopics(admin, [
    spec(names.chat, config.clients.topics.partitions),
    spec(`${names.chat}.dlq`, 1),
    spec(names.identity, 2),
    spec(`${names.identity}.dlq`, 1),
    spec(names.model, 1),
    spec(names.shadow, config.clients.topics.partitions),
  ]);
  await admin.disconnect();
  return names;
}

export interface TestDeployment {
  version: string;
  modelName?: string;
  role?: ModelRole;
  trafficShare?: number;
  servers: ModelServerEndpoint[];
  contextLength?: number;
}

export async function deploy(producer: EventProducer, topic: string, d: TestDeployment): Promise<void> {
  await producer.publish(
    'ModelDeployed',
    newEvent('ModelDeployed', {
      model_version: d.version,
      model_name: d.modelName ?? 'sim-model',
      base_model_version: null,
      serving_engine: 'VLLM',
      endpoint_url: `${d.servers[0]!.url}/v1`,
      context_length: d.contextLength ?? 4096,
      training_run_id: null,
      role: d.role ?? 'STABLE',
      traffic_share: d.trafficShare ?? 0,
      servers: d.servers,
    }),
    { topic },
  );
}

export interface InferenceHarness {
  topics: InferenceTopics;
  keyspace: string;
  producer: EventProducer;
  processor: RunningInferenceProcessor;
  /** Publishes a chat and returns its ids. */
  createChat(options?: { systemPrompt?: string }): Promise<{ chatId: string; userId: string }>;
  /** Publishes a prompt; resolves with it (its answer id is set). */
  prompt(
    chat: { chatId: string; userId: string },
    content: string,
    extra?: Partial<PromptSubmitted>,
  ): Promise<PromptSubmitted>;
  close(): Promise<void>;
}

/** Deploys `deployments` on a fresh registry topic, then starts the processor and a projector. */
export async function startInferenceHarness(
  deployments: TestDeployment[],
  overrides: Partial<InferenceProcessorOverrides> = {},
): Promise<InferenceHarness> {
  const topics = await createInferenceTopics();
  const keyspace = await createTestKeyspace();
  const producer = await createEventProducer(config.clients, { clientId: 'test-inference' });
  for (const d of deployments) await deploy(producer, topics.model, d);
  const cassandra = createCassandraClient(config.clients);
  const projector = projectorRuntime(cassandra, topics.chat, keyspace);
  await projector.start();
  const processor = await startInferenceProcessor(testConfig, {
    name: 'test-inference',
    groupId: uniqueName('test-inference'),
    chatTopic: topics.chat,
    identityTopic: topics.identity,
    modelTopic: topics.model,
    shadowTopic: topics.shadow,
    keyspace,
    metricsPort: 0,
    ...overrides,
  });
  return {
    topics,
    keyspace,
    producer,
    processor,
    async createChat(options = {}) {
      const chatId = uuidv7();
      const userId = randomUUID();
      await producer.publish(
        'ChatCreated',
        newEvent('ChatCreated', {
          chat_id: chatId,
          user_id: userId,
          title: null,
          model_version: 'sim-model',
          system_prompt: options.systemPrompt ?? null,
          via_api: false,
        }),
        { topic: topics.chat },
      );
      return { chatId, userId };
    },
    async prompt(chat, content, extra = {}) {
      const event = promptEvent(chat, content, extra);
      await producer.publish('PromptSubmitted', event, { topic: topics.chat });
      return event;
    },
    async close() {
      await within('stopping the inference processor', 60_000, processor.stop());
      await within('stopping the projector', 60_000, projector.stop());
      await producer.close();
      await cassandra.shutdown();
    },
  };
}

/** A USER prompt in the chat, with fresh UUIDv7 message and answer ids. */
export function promptEvent(
  chat: { chatId: string; userId: string },
  content: string,
  extra: Partial<PromptSubmitted> = {},
): PromptSubmitted {
  return newEvent('PromptSubmitted', {
    chat_id: chat.chatId,
    user_id: chat.userId,
    message_id: uuidv7(),
    parent_message_id: null,
    role: 'USER',
    content,
    model_version: 'sim-model',
    attachment_ids: [],
    via_api: false,
    temperature: null,
    max_tokens: null,
    answer_message_id: uuidv7(),
    ...extra,
  });
}

/** Records of `topic` (from its start) until `done` holds. */
export async function readUntil(
  topic: string,
  done: (records: readonly ConsumedRecord[]) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<ConsumedRecord[]> {
  const admin = createKafka(config.clients, 'test-offsets').admin();
  await admin.connect();
  const from = new Map([...(await endOffsets(admin, topic)).keys()].map((p) => [p, 0n]));
  await admin.disconnect();
  return consumeUntil(
    topic,
    from,
    { done, progress: (r) => `${r.length} records, not yet ${what}` },
    timeoutMs,
  );
}

/** Every record of `topic` up to its end now. */
export async function readTopic(topic: string, timeoutMs = 60_000): Promise<ConsumedRecord[]> {
  const admin = createKafka(config.clients, 'test-offsets').admin();
  await admin.connect();
  const ends = await endOffsets(admin, topic);
  await admin.disconnect();
  const total = [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
  if (total === 0) return [];
  const from = new Map([...ends.keys()].map((p) => [p, 0n]));
  return consumeUntil(
    topic,
    from,
    { done: (r) => r.length >= total, progress: (r) => `${r.length} of ${total} records` },
    timeoutMs,
  );
}

/** A chat's message rows in the test keyspace (tests' chats live in one time bucket). */
export async function cassandraRows(
  keyspace: string,
  chatId: string,
): Promise<
  Array<{
    message_id: string;
    parent_message_id: string | null;
    status: string | null;
    content: string | null;
  }>
> {
  const client = createCassandraClient(config.clients);
  try {
    const { rows } = await client.execute(
      `SELECT message_id, parent_message_id, status, content FROM ${keyspace}.messages_by_chat WHERE chat_id = ? AND bucket = ?`,
      [chatId, bucketOf(chatId)],
      { prepare: true },
    );
    return rows.map((r) => ({
      message_id: String(r.get('message_id')),
      parent_message_id: r.get('parent_message_id')?.toString() ?? null,
      status: r.get('status') ?? null,
      content: r.get('content') ?? null,
    }));
  } finally {
    await client.shutdown();
  }
}

const serde = testSerde();

export const decodeAll = async (records: readonly ConsumedRecord[]) =>
  Promise.all(records.map(async (record) => ({ record, ...(await serde.decode(record.value)) })));

const isAnswer = (r: ConsumedRecord) =>
  r.headers['parley-event-type'] === 'AnswerGenerated' || r.headers['parley-event-type'] === 'AnswerFailed';

/** The chat's answers (generated or failed) once there are `count`, decoded. */
export async function answersOf(topic: string, chatId: string, count: number, timeoutMs = 60_000) {
  const ofChat = (rs: readonly ConsumedRecord[]) => rs.filter((r) => r.key === chatId && isAnswer(r));
  const records = await readUntil(
    topic,
    (rs) => ofChat(rs).length >= count,
    `${count} answers in chat ${chatId}`,
    timeoutMs,
  );
  return decodeAll(ofChat(records));
}
