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
import { createTestKeyspace, projectorRuntime, testConfig } from './projector.ts';
import { within } from './bounded.ts';

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
  const spec = (topic: string, partitions: number) => ({ topic, partitions, replicationFactor: 1, configs: {} });
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
  prompt(chat: { chatId: string; userId: string }, content: string, extra?: Partial<PromptSubmitted>): Promise<PromptSubmitted>;
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
      const event = newEvent('PromptSubmitted', {
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
  return consumeUntil(topic, from, { done, progress: (r) => `${r.length} records, not yet ${what}` }, timeoutMs);
}
