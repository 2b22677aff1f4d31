// Both transports against the real broker and registry: every event type round-trips, a bad event
// never reaches Kafka, and records of one key stay in order under concurrent sends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import avro from 'avsc';
import { createKafka } from '../../core/clients.ts';
import { catalog, topics } from '../../schemas/catalog.ts';
import type { EventName } from '../../schemas/generated/events.ts';
import { EventValidationError } from '../../schemas/serde.ts';
import { config } from '../../test-helpers/config.ts';
import { endOffsets } from '../../core/kafkaProgress.ts';
import { consumeFrom } from '../../test-helpers/kafka.ts';
import {
  createEventProducer,
  EVENT_TYPE_HEADER,
  TRACEPARENT_HEADER,
  type EventProducer,
} from '../eventProducer.ts';
import { ChatWorkload } from '../loadgen/chatWorkload.ts';
import { Random } from '../loadgen/random.ts';
import { provisionTopics, topicSpecs } from '../topics.ts';
import { parseTraceparent } from '../traceparent.ts';
import type { TransportName } from '../transport.ts';

const admin = createKafka(config.clients, 'producer-test').admin();
before(async () => {
  await admin.connect();
  await provisionTopics(admin, topicSpecs(config.clients.topics));
});
after(() => admin.disconnect());

for (const transport of ['kafkajs', 'rdkafka'] as TransportName[]) {
  describe(`${transport} transport`, () => {
    let producer: EventProducer;
    before(async () => (producer = await createEventProducer(config.clients, { transport })));
    after(() => producer.close());

    test('every event type round-trips through Kafka and the registry', async () => {
      const workload = new ChatWorkload(new Random(7));
      const samples = catalog.map((e) => workload.sample(e.name as EventName));
      const from = new Map(
        await Promise.all(Object.values(topics).map(async (t) => [t, await endOffsets(admin, t)] as const)),
      );
      const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      await Promise.all(samples.map((s) => producer.publish(s.name, s.event, { traceparent: parent })));

      for (const topic of Object.values(topics)) {
        const expected = samples.filter((s) => catalog.find((e) => e.name === s.name)!.topic === topic);
        const records = await consumeFrom(topic, from.get(topic)!, expected.length);
        for (const sample of expected) {
          const record = records.find((r) => r.headers[EVENT_TYPE_HEADER] === sample.name);
          assert.ok(record, `${sample.name} arrived on ${topic}`);
          const decoded = await producer.serde.decode(record.value);
          assert.equal(decoded.name, sample.name);
          const type = avro.Type.forSchema(
            catalog.find((e) => e.name === sample.name)!.schema as avro.Schema,
          );
          assert.deepEqual({ ...decoded.event }, { ...(type.clone(sample.event) as object) }, sample.name);
          const definition = catalog.find((e) => e.name === sample.name)!;
          assert.equal(
            record.key,
            String((sample.event as unknown as Record<string, unknown>)[definition.keyField]),
          );
          const trace = parseTraceparent(record.headers[TRACEPARENT_HEADER]);
          assert.equal(
            trace?.traceId,
            '0af7651916cd43dd8448eb211c80319c',
            'the event joins the caller’s trace',
          );
          assert.notEqual(trace?.spanId, 'b7ad6b7169203331', 'with a span of its own');
        }
      }
    });

    test('an event that fails its contract is rejected before it reaches Kafka', async () => {
      const before = await endOffsets(admin, topics.chat);
      const event = new ChatWorkload(new Random(3)).sample('PromptSubmitted').event;
      await assert.rejects(
        producer.publish('PromptSubmitted', { ...event, chat_id: undefined as unknown as string }),
        (error: unknown) =>
          error instanceof EventValidationError && /chat_id: expected .*missing/.test(error.message),
      );
      await assert.rejects(
        producer.publish('PromptSubmitted', { ...event, max_tokens: 'many' as unknown as number }),
        /max_tokens/,
      );
      await producer.transport.flush();
      assert.deepEqual(await endOffsets(admin, topics.chat), before, 'nothing was written');
    });

    test('records with the same key keep their order under concurrent sends', async () => {
      const workload = new ChatWorkload(new Random(11));
      const chats = Array.from({ length: 20 }, () => workload.sample('ChatCreated').event);
      const from = await endOffsets(admin, topics.chat);
      const perChat = 50;
      const sends: Array<Promise<void>> = [];
      for (let seq = 0; seq < perChat; seq++) {
        for (const chat of chats) {
          sends.push(
            producer.publish('ChatRenamed', {
              ...workload.sample('ChatRenamed').event,
              chat_id: chat.chat_id,
              user_id: chat.user_id,
              title: `title ${seq}`,
            }),
          );
        }
      }
      await Promise.all(sends);
      const records = await consumeFrom(topics.chat, from, chats.length * perChat);
      const seen = new Map<string, number[]>();
      for (const record of records.sort((a, b) => Number(a.offset) - Number(b.offset))) {
        const { event } = await producer.serde.decode(record.value);
        const title = (event as { title: string }).title;
        seen.set(record.key, [...(seen.get(record.key) ?? []), Number(title.split(' ')[1])]);
      }
      assert.equal(seen.size, chats.length);
      for (const [key, sequence] of seen) {
        assert.deepEqual(sequence, [...Array(perChat).keys()], `chat ${key} kept its order`);
      }
    });
  });
}
