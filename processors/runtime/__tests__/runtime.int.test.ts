// The runtime against real Kafka with a recording handler (no sink): key order under parallelism,
// and a graceful stop that commits exactly what was done.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createKafka } from '../../../core/clients.ts';
import {
  createEventProducer,
  type EventProducer,
  type PublishItem,
} from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { eventually } from '../../../test-helpers/bounded.ts';
import { caughtUp, createChatTopic, testConfig } from '../../../test-helpers/projector.ts';
import { ProcessorRuntime, type ProcessorRecord } from '../processorRuntime.ts';

let producer: EventProducer;
before(async () => (producer = await createEventProducer(config.clients)));
after(() => producer.close());

function renames(chats: number, perChat: number): PublishItem[] {
  const workload = new ChatWorkload(new Random(9));
  const created = Array.from({ length: chats }, () => workload.sample('ChatCreated').event);
  // Each chat starts with its ChatCreated: another schema, which the processor fetches on first sight.
  const items: PublishItem[] = created.map((event) => ({ name: 'ChatCreated', event }));
  for (let seq = 0; seq < perChat; seq++) {
    for (const chat of created) {
      items.push({
        name: 'ChatRenamed',
        event: {
          ...workload.sample('ChatRenamed').event,
          chat_id: chat.chat_id,
          user_id: chat.user_id,
          title: String(seq),
        },
      });
    }
  }
  return items;
}

test('records of one key are handled in order (across event types) while different keys run in parallel', async () => {
  const topic = await createChatTopic(3);
  await producer.publishMany(renames(30, 40), { topic });
  const seen = new Map<string, number[]>();
  let running = 0;
  let peak = 0;
  const runtime = new ProcessorRuntime(
    {
      name: 'order-test',
      topics: [topic],
      metricsPort: 0,
      async handle(records: ProcessorRecord[]) {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
        for (const r of records) {
          const step = r.name === 'ChatCreated' ? -1 : Number((r.event as { title: string }).title);
          seen.set(r.key, [...(seen.get(r.key) ?? []), step]);
        }
        running--;
      },
    },
    testConfig,
    { groupId: uniqueName('order-test') },
  );
  await runtime.start();
  await eventually(() => caughtUp(runtime.groupId, topic), 60_000, 'caught up');
  await runtime.stop();
  assert.equal(seen.size, 30);
  // In order across event types too: a record waiting for its schema holds back the ones behind it.
  for (const [key, steps] of seen) assert.deepEqual(steps, [-1, ...Array(40).keys()], `key ${key} in order`);
  assert.ok(peak > 1, `records of different keys ran concurrently (peak ${peak})`);
});

test('a graceful stop drains in-flight records and commits exactly what was done', async () => {
  const topic = await createChatTopic(3);
  const items = renames(100, 30);
  const total = items.length;
  await producer.publishMany(items, { topic });
  const groupId = uniqueName('shutdown-test');
  const handled: string[] = [];
  const definition = {
    name: 'shutdown-test',
    topics: [topic],
    metricsPort: 0,
    async handle(records: ProcessorRecord[]) {
      await new Promise((resolve) => setTimeout(resolve, 200)); // slow enough to stop part-way
      for (const r of records) handled.push(`${r.partition}:${r.offset}`);
    },
  };
  const first = new ProcessorRuntime(definition, testConfig, { groupId });
  await first.start();
  await eventually(async () => handled.length > 300, 30_000, 'some records handled');
  await first.stop();
  const handledBeforeStop = handled.length;
  assert.ok(handledBeforeStop < total, 'stopped part-way');

  const admin = createKafka(config.clients, 'shutdown-test').admin();
  await admin.connect();
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  const committed = offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  assert.equal(committed, handledBeforeStop, 'everything handled was committed, nothing more');

  const second = new ProcessorRuntime(definition, testConfig, { groupId });
  await second.start();
  await eventually(() => caughtUp(groupId, topic), 60_000, 'second run caught up');
  await second.stop();
  assert.equal(handled.length, total, 'the restart handled exactly the rest: nothing lost, nothing twice');
  assert.equal(new Set(handled).size, total);
});
