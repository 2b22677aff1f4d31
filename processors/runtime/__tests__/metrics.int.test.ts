// The runtime's two record gauges against real Kafka: while every handler call is held open, the
// buffer holds all fetched records and only one record per key is in a handler call.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  createEventProducer,
  type EventProducer,
  type PublishItem,
} from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { uniqueName } from '../../../test-helpers/config.ts';
import { eventually } from '../../../test-helpers/bounded.ts';
import { caughtUp, createChatTopic, testConfig } from '../../../test-helpers/projector.ts';
import { ProcessorRuntime } from '../processorRuntime.ts';

let producer: EventProducer;
before(async () => (producer = await createEventProducer(testConfig)));
after(() => producer.close());

/** `chats` chats (one key each), each a ChatCreated and then `renames` ChatRenamed. */
function chatEvents(chats: number, renames: number): PublishItem[] {
  const workload = new ChatWorkload(new Random(3));
  const created = Array.from({ length: chats }, () => workload.sample('ChatCreated').event);
  const items: PublishItem[] = created.map((event) => ({ name: 'ChatCreated', event }));
  for (let i = 0; i < renames; i++)
    for (const chat of created)
      items.push({
        name: 'ChatRenamed',
        event: { ...workload.sample('ChatRenamed').event, chat_id: chat.chat_id, user_id: chat.user_id },
      });
  return items;
}

test('records_buffered counts the records held, records_in_flight those in handler calls', async () => {
  const chats = 30;
  const items = chatEvents(chats, 10);
  const topic = await createChatTopic(3);
  await producer.publishMany(items, { topic });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const runtime = new ProcessorRuntime(
    { name: 'gauge-test', topics: [topic], metricsPort: 0, handle: () => gate },
    testConfig,
    { groupId: uniqueName('gauge-test') },
  );
  const gauge = async (name: string): Promise<number | undefined> => {
    const line = new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'm').exec(
      await runtime.metrics.registry.metrics(),
    );
    return line ? Number(line[1]) : undefined;
  };
  const { maxInFlight } = testConfig.processor;
  // Every call is held open: one record per key is in a call (up to the window), the records behind
  // it wait for their key, and fetching stops only when the buffer (4 × the window) is full.
  const inCalls = Math.min(chats, maxInFlight);
  const held = Math.min(items.length, 4 * maxInFlight);
  await runtime.start();
  try {
    await eventually(
      async () =>
        (await gauge('parley_processor_records_buffered')) === held &&
        (await gauge('parley_processor_records_in_flight')) === inCalls,
      30_000,
      `${held} records buffered, ${inCalls} in handler calls`,
    );
  } finally {
    release();
  }
  await eventually(() => caughtUp(runtime.groupId, topic), 60_000, 'caught up');
  assert.equal(await gauge('parley_processor_records_buffered'), 0);
  assert.equal(await gauge('parley_processor_records_in_flight'), 0);
  await runtime.stop();
});
