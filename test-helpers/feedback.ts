// A feedback topic of the test's own (the platform's compacted spec under a unique name), and
// tombstones for it: what the feedback processor writes when a chat is deleted or a user leaves.
import { Partitioners } from 'kafkajs';
import { createKafka } from '../core/clients.ts';
import { provisionTopics, topicSpecs } from '../producers/topics.ts';
import { topics } from '../schemas/catalog.ts';
import { config, uniqueName } from './config.ts';

export async function createFeedbackTopic(partitions = 3): Promise<string> {
  const topic = uniqueName('feedback_test');
  const admin = createKafka(config.clients, 'test-topics').admin();
  await admin.connect();
  try {
    const spec = topicSpecs(config.clients.topics).find((s) => s.topic === topics.feedback)!;
    await provisionTopics(admin, [{ ...spec, topic, partitions }]);
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** Null values under these keys, on the partitions the event producer puts the keys on (murmur2). */
export async function publishTombstones(topic: string, keys: readonly string[]): Promise<void> {
  const producer = createKafka(config.clients, 'test-tombstones').producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: null })) });
  } finally {
    await producer.disconnect();
  }
}
