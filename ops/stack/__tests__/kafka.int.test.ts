import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createKafka } from '../../../core/clients.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';

const kafka = createKafka(config.clients, 'stack-test');
const admin = kafka.admin();
const producer = kafka.producer({ idempotent: true });
const consumer = kafka.consumer({ groupId: uniqueName('stack-test') });

before(async () => Promise.all([admin.connect(), producer.connect(), consumer.connect()]));
after(async () => Promise.all([admin.disconnect(), producer.disconnect(), consumer.disconnect()]));

test('a record produced with kafkajs is consumed back by a consumer group', async () => {
  const topic = uniqueName('stack-test');
  assert.equal(
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }),
    true,
  );
  const value = `hello ${Date.now()}`;
  await producer.send({ topic, acks: -1, messages: [{ key: 'chat-1', value, headers: { source: 'test' } }] });
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = await new Promise<{ key: string; value: string; header: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no record within 30 s')), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        clearTimeout(timer);
        resolve({
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          header: message.headers?.source?.toString() ?? '',
        });
      },
    });
  });
  assert.deepEqual(received, { key: 'chat-1', value, header: 'test' });
  await consumer.stop();
  await admin.deleteTopics({ topics: [topic] });
});
