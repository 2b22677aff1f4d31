import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import kafkajs from 'kafkajs';
import { createKafka } from '../../core/clients.ts';
import { config, uniqueName } from '../../test-helpers/config.ts';
import { provisionTopics, topicSpecs, type TopicSpec } from '../topics.ts';

const admin = createKafka(config.clients, 'topics-test').admin();
before(() => admin.connect());
after(() => admin.disconnect());

test('provisioning the platform topics twice changes nothing the second time', async () => {
  const specs = topicSpecs(config.clients.topics);
  await provisionTopics(admin, specs);
  const second = await provisionTopics(admin, specs);
  assert.deepEqual(second, { created: [], partitionsAdded: [], configsUpdated: [], warnings: [] });
  const feedback = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: kafkajs.ConfigResourceTypes.TOPIC, name: 'parley.feedback', configNames: ['cleanup.policy'] },
    ],
  });
  assert.equal(feedback.resources[0]?.configEntries[0]?.configValue, 'compact');
});

test('provisioning creates, grows and re-configures, and never shrinks', async () => {
  const topic = uniqueName('topics-test');
  const spec: TopicSpec = {
    topic,
    partitions: 2,
    replicationFactor: 1,
    configs: { 'retention.ms': '3600000' },
  };
  assert.deepEqual((await provisionTopics(admin, [spec])).created, [topic]);
  const grown = await provisionTopics(admin, [
    { ...spec, partitions: 4, configs: { 'retention.ms': '7200000' } },
  ]);
  assert.deepEqual(grown.partitionsAdded, [`${topic}: 2 → 4`]);
  assert.deepEqual(grown.configsUpdated, [topic]);
  const shrink = await provisionTopics(admin, [
    { ...spec, partitions: 3, configs: { 'retention.ms': '7200000' } },
  ]);
  assert.match(shrink.warnings[0] ?? '', /has 4 partitions, more than 3/);
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(metadata.topics[0]?.partitions.length, 4);
  await admin.deleteTopics({ topics: [topic] });
});
