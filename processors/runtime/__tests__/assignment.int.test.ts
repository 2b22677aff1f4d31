// A processor hears of a new partition assignment before the records of that assignment arrive,
// so it can drop what it cached about its keys (the Cassandra projector's list states).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventProducer } from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { within } from '../../../test-helpers/bounded.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { createChatTopic, testConfig, waitForCatchUp } from '../../../test-helpers/projector.ts';
import { ProcessorRuntime } from '../processorRuntime.ts';

test('onPartitionsAssigned runs on joining the group, before the first record is handled', async () => {
  const topic = await createChatTopic(2);
  const producer = await createEventProducer(config.clients);
  const workload = new ChatWorkload(new Random(4));
  await within('publishing', 60_000, producer.publishMany([workload.sample('ChatCreated')], { topic }));
  await producer.close();
  const calls: string[] = [];
  const runtime = new ProcessorRuntime(
    {
      name: 'assignment-test',
      topics: [topic],
      metricsPort: 0,
      onPartitionsAssigned: () => calls.push('assigned'),
      handle: async (records) => void calls.push(...records.map(() => 'handled')),
    },
    testConfig,
    { groupId: uniqueName('assignment-test') },
  );
  await runtime.start();
  try {
    await waitForCatchUp(runtime.groupId, topic, 60_000);
  } finally {
    await within('stopping the runtime', 60_000, runtime.stop());
  }
  assert.deepEqual(calls, ['assigned', 'handled']);
});
